// One-node ONNX models for the Node benchmark, encoded by hand: the handful
// of protobuf fields a single-operator graph needs, so the benchmark needs no
// protobuf library.

const encoder = new TextEncoder();

function varint(value) {
  const bytes = [];
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;  // int64 fields are two's complement on the wire
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return bytes;
}

const key = (field, wireType) => varint((field << 3) | wireType);
const intField = (field, value) => [...key(field, 0), ...varint(value)];
const bytesField = (field, bytes) => [...key(field, 2), ...varint(bytes.length), ...bytes];
const stringField = (field, text) => bytesField(field, [...encoder.encode(text)]);
function floatField(field, value) {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return [...key(field, 5), ...bytes];
}

// onnx.proto field numbers and enums.
const AttributeType = {FLOAT: 1, INT: 2, STRING: 3, INTS: 7};
const ElemType = {float32: 1, int64: 7};

function attribute(name, value) {
  const head = stringField(1, name);
  if (typeof value === 'string') return [...head, ...bytesField(4, [...encoder.encode(value)]), ...intField(20, AttributeType.STRING)];
  if (Array.isArray(value)) return [...head, ...value.flatMap(v => intField(8, v)), ...intField(20, AttributeType.INTS)];
  if (Number.isInteger(value.int)) return [...head, ...intField(3, value.int), ...intField(20, AttributeType.INT)];
  return [...head, ...floatField(2, value.float), ...intField(20, AttributeType.FLOAT)];
}

/** A graph input or output with dynamic dimensions (dim_param). */
function valueInfo(name, elemType, rank) {
  const dims = Array.from({length: rank}, (_, i) => bytesField(1, stringField(2, `${name}_d${i}`)));
  const tensorType = [...intField(1, elemType), ...bytesField(2, dims.flat())];
  return [...stringField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

/**
 * A model holding one `opType` node. inputs and outputs are
 * [name, 'float32'|'int64', rank]; attributes map a name to a string, an
 * array of ints, {int} or {float}.
 */
export function oneNodeModel({opType, opset, inputs, outputs, attributes}) {
  const node = [
    ...inputs.flatMap(([name]) => stringField(1, name)),
    ...outputs.flatMap(([name]) => stringField(2, name)),
    ...stringField(3, opType.toLowerCase()),
    ...stringField(4, opType),
    ...Object.entries(attributes).flatMap(([name, value]) => bytesField(5, attribute(name, value))),
  ];
  const graph = [
    ...bytesField(1, node),
    ...stringField(2, `${opType}_graph`),
    ...inputs.flatMap(([name, type, rank]) => bytesField(11, valueInfo(name, ElemType[type], rank))),
    ...outputs.flatMap(([name, type, rank]) => bytesField(12, valueInfo(name, ElemType[type], rank))),
  ];
  const opsetImport = [...stringField(1, ''), ...intField(2, opset)];
  return Uint8Array.from([...intField(1, 8), ...bytesField(8, opsetImport), ...bytesField(7, graph)]);
}

/** ONNX RoiAlign (opset 16): X NCHW, rois [K,4] (x1,y1,x2,y2), batch_indices int64. */
export function roiAlignModel({outputSize, spatialScale, samplingRatio, aligned, mode}) {
  return oneNodeModel({
    opType: 'RoiAlign',
    opset: 16,
    inputs: [['X', 'float32', 4], ['rois', 'float32', 2], ['batch_indices', 'int64', 1]],
    outputs: [['Y', 'float32', 4]],
    attributes: {
      coordinate_transformation_mode: aligned ? 'half_pixel' : 'output_half_pixel',
      mode,
      output_height: {int: outputSize},
      output_width: {int: outputSize},
      sampling_ratio: {int: samplingRatio},
      spatial_scale: {float: spatialScale},
    },
  });
}

/** ONNX MaxRoiPool (opset 1): X NCHW, rois [K,5] (batch, x1, y1, x2, y2). */
export function maxRoiPoolModel({outputSize, spatialScale}) {
  return oneNodeModel({
    opType: 'MaxRoiPool',
    opset: 16,
    inputs: [['X', 'float32', 4], ['rois', 'float32', 2]],
    outputs: [['Y', 'float32', 4]],
    attributes: {pooled_shape: [outputSize, outputSize], spatial_scale: {float: spatialScale}},
  });
}
