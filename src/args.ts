/**
 * Argument checking and layout translation shared by the public ops. Every
 * check runs before any kernel, and its message names the argument.
 */
import {cast, customGrad, env, fill, greater, less, logicalAnd, reshape, scalar, split, Tensor, tensor, transpose, where, zerosLike} from '@tensorflow/tfjs-core';
import type {DataType, GradSaveFunc, TensorLike} from '@tensorflow/tfjs-core';
import {engine} from '@tensorflow/tfjs-core';
import type {NamedAttrMap, Tensor4D} from '@tensorflow/tfjs-core';

import {MAX_SAMPLES_PER_BIN_AXIS} from './limits';

export type DataFormat = 'NHWC'|'NCHW';

export function fail(op: string, message: string): never {
  throw new Error(`${op}: ${message}`);
}

/**
 * A value as an error message shows it: strings quoted (so '0.25' reads
 * "0.25", not 0.25), numbers as JavaScript prints them (NaN, Infinity).
 */
export function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || value === undefined ||
      typeof value === 'function' || typeof value === 'symbol') {
    return String(value);
  }
  if (value instanceof Tensor) return `a ${value.dtype} tensor of shape ${shapeText(value.shape)}`;
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map(show).join(',')}]`;
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const INT32_MIN = -(2 ** 31), INT32_MAX = 2 ** 31 - 1;

/**
 * The shape of a plain nested array of numbers, or a failure naming `name`:
 * tfjs infers a shape from the first element of each level and would accept
 * a ragged array, reading garbage or dropping values.
 */
function nestedArrayShape(value: unknown, name: string, op: string): number[] {
  const problem = (what: string) => fail(op, `${name} must be a Tensor or a nested array of numbers, ${what}`);
  if (ArrayBuffer.isView(value)) return [(value as unknown as ArrayLike<number>).length];
  if (!Array.isArray(value)) {
    return problem(`got ${typeof value === 'object' ? 'an object' : typeof value} ${show(value)}`);
  }
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level) || ArrayBuffer.isView(level)) {
    shape.push((level as ArrayLike<unknown>).length);
    if (shape[shape.length - 1] === 0) break;
    level = (level as ArrayLike<unknown>)[0];
  }
  const visit = (item: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof item !== 'number') problem(`got ${show(item)} at ${name}${path}`);
      return;
    }
    const isList = Array.isArray(item) || ArrayBuffer.isView(item);
    if (!isList || (item as ArrayLike<unknown>).length !== shape[depth]) {
      problem(`but it is ragged: ${name}${path} ${isList ? `has ${(item as ArrayLike<unknown>).length} elements` : `is ${show(item)}`} where ${name}${'[0]'.repeat(depth)} has ${shape[depth]}`);
    }
    const list = item as ArrayLike<unknown>;
    for (let i = 0; i < list.length; i++) visit(list[i], depth + 1, `${path}[${i}]`);
  };
  visit(value, 0, '');
  return shape;
}

/**
 * A Tensor as given, or a new one of `dtype` made from a TensorLike, after
 * checking that it is a rectangular array of numbers (and, for int32, that
 * every number is an integer in int32 range: tfjs would silently truncate or
 * wrap 0.5, NaN or 2^32 into some image index).
 */
export function toTensor(
    value: Tensor|TensorLike, name: string, op: string, dtype: DataType,
    emptyShape?: number[]): Tensor {
  if (value instanceof Tensor) {
    if (value.isDisposed) fail(op, `${name} is a disposed tensor`);
    if (value.dtype !== dtype) {
      fail(op, `${name} must be ${dtype}, got ${value.dtype}`);
    }
    return value;
  }
  if (value == null) fail(op, `${name} is required`);
  const shape = nestedArrayShape(value, name, op);
  if (dtype === 'int32') {
    const flat: number[] = [];
    const collect = (item: unknown): void => {
      if (typeof item === 'number') {
        flat.push(item);
      } else {
        Array.prototype.forEach.call(item as ArrayLike<unknown>, collect);
      }
    };
    collect(value);
    const bad = flat.findIndex(v => !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX);
    if (bad >= 0) {
      fail(op, `${name} must hold integers in int32 range, got ${show(flat[bad])} at index ${bad}`);
    }
  }
  const empty = shape.length === 1 && shape[0] === 0 && emptyShape !== undefined;
  return tensor(value as TensorLike, empty ? emptyShape : shape, dtype);
}

export function shapeText(shape: ReadonlyArray<number|null>): string {
  return `[${shape.map(d => d === null ? 'null' : d).join(',')}]`;
}

/** outputSize as [outH, outW] of positive integers. */
export function parseOutputSize(
    outputSize: number|[number, number], op: string): [number, number] {
  const size = typeof outputSize === 'number' ? [outputSize, outputSize] :
                                                outputSize;
  const ok = Array.isArray(size) && size.length === 2 &&
      size.every(v => typeof v === 'number' && Number.isInteger(v) && v > 0);
  if (!ok) {
    fail(op, `outputSize must be a positive integer or [outH, outW] of positive integers, got ${
        show(outputSize)}`);
  }
  if (size[0] * size[1] > INT32_MAX) {
    fail(op, `outputSize ${show(outputSize)} has ${size[0] * size[1]} bins per box, more than ${
        INT32_MAX} (2^31 - 1), the most elements a tensor can index`);
  }
  return [size[0], size[1]];
}

export function checkSpatialScale(value: unknown, op: string): number {
  if (typeof value !== 'number' || !isFinite(value) || value <= 0) {
    fail(op, `spatialScale must be a finite number > 0, got ${show(value)}`);
  }
  return value;
}

export function checkDataFormat(value: unknown, op: string): DataFormat {
  if (value !== 'NHWC' && value !== 'NCHW') {
    fail(op, `dataFormat must be 'NHWC' or 'NCHW', got ${show(value)}`);
  }
  return value;
}

export function checkKnownOptions(
    options: object, known: string[], op: string): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(op, `options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      fail(op, `unknown option '${key}'; the options are ${known.join(', ')}`);
    }
  }
}

/**
 * x as float32 4-D, and boxes and boxIndices checked against each other.
 * Returns the tensors as given or converted; layout translation happens in
 * `toKernelLayout`, after every check has passed.
 */
export function checkRoIInputs(
    op: string, x: Tensor|TensorLike, boxes: Tensor|TensorLike,
    boxIndices: Tensor|TensorLike|null|undefined, box: BoxLayout = CORNER_BOXES) {
  const fields = box.names.length;
  const $x = toTensor(x, 'x', op, 'float32');
  if ($x.rank !== 4) {
    fail(op, `x must be 4-D [N,H,W,C] or [N,C,H,W], got shape ${
        shapeText($x.shape)}`);
  }
  // Plain [] boxes are K = 0: [0,4] with boxIndices, [0,5] without.
  const $boxes = toTensor(boxes, 'boxes', op, 'float32', [0, boxIndices == null ? fields + 1 : fields]);
  if ($boxes.rank !== 2 || ($boxes.shape[1] !== fields && $boxes.shape[1] !== fields + 1)) {
    fail(op, `boxes must be [K,${fields}] (${box.names.join(',')}) or [K,${fields + 1}] (batchIndex,${
        box.names.join(',')}), got shape ${shapeText($boxes.shape)}`);
  }
  const K = $boxes.shape[0];
  let $boxIndices: Tensor|null = null;
  if ($boxes.shape[1] === fields + 1) {
    if (boxIndices != null) {
      fail(op, `boxIndices must be null when boxes are [K,${fields + 1}]: the first column holds the batch index`);
    }
  } else {
    if (boxIndices == null) {
      fail(op, `boxIndices is required with [K,${fields}] boxes (or pass [K,${
          fields + 1}] boxes with the batch index first)`);
    }
    $boxIndices = toTensor(boxIndices, 'boxIndices', op, 'int32');
    if ($boxIndices.rank !== 1 || $boxIndices.shape[0] !== K) {
      fail(op, `boxIndices must be [K] = [${K}] to match boxes, got shape ${
          shapeText($boxIndices.shape)}`);
    }
  }
  return {x: $x, boxes: $boxes, boxIndices: $boxIndices};
}

/**
 * The batch index column of [K,5] boxes as int32, -1 where it names no image
 * ((-1, batchSize) truncates toward zero, like torchvision's cast). It is a
 * custom gradient of zero: box gradients flow through the corner columns only.
 */
const batchIndexColumn = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
  const [column, batchSize] = args as Tensor[];
  const inRange = logicalAnd(greater(column, -1), less(column, batchSize));
  const value = where(inRange, cast(column, 'int32'), fill(column.shape, -1, 'int32'));
  return {value, gradFunc: () => [zerosLike(column), zerosLike(batchSize)]};
});

/**
 * The kernels' layout: x NHWC, boxes [K,4], boxIndices [K] int32.
 * Call only inside an op(), which disposes the intermediates.
 */
export function toKernelLayout(
    x: Tensor, boxes: Tensor, boxIndices: Tensor|null, dataFormat: DataFormat,
    box: BoxLayout = CORNER_BOXES) {
  const xNHWC = dataFormat === 'NCHW' ? transpose(x, [0, 2, 3, 1]) : x;
  if (boxIndices !== null) return {x: xNHWC, boxes, boxIndices};
  const [column, corners] = split(boxes, [1, box.names.length], 1);
  const batchSize = scalar(xNHWC.shape[0], 'float32');
  const indices = batchIndexColumn(reshape(column, [-1]), batchSize);
  return {x: xNHWC, boxes: corners, boxIndices: indices};
}

/** The kernel's NHWC result in the caller's layout. */
export function fromKernelLayout<T extends Tensor>(y: T, dataFormat: DataFormat): T {
  return dataFormat === 'NCHW' ? transpose(y, [0, 3, 1, 2]) : y;
}

/**
 * Position-sensitive ops: x's channel count must be a multiple of
 * outH * outW, one input channel per bin and output channel.
 */
export function checkPositionSensitiveChannels(
    op: string, x: Tensor, dataFormat: DataFormat, pooledHeight: number,
    pooledWidth: number): void {
  const channels = x.shape[dataFormat === 'NCHW' ? 1 : 3] as number;
  const bins = pooledHeight * pooledWidth;
  if (channels % bins !== 0) {
    fail(op, `x must have a multiple of outH * outW = ${pooledHeight} * ${pooledWidth} = ${
        bins} channels (one per bin and output channel), got ${channels}`);
  }
}

/** spatialScale and dataFormat (and no unknown key) checked, with their defaults. */
export function checkPoolOptions(
    op: string, options: {spatialScale?: number, dataFormat?: DataFormat}, known: string[]) {
  checkKnownOptions(options, known, op);
  const {spatialScale = 1, dataFormat = 'NHWC'} = options;
  checkSpatialScale(spatialScale, op);
  checkDataFormat(dataFormat, op);
  return {spatialScale, dataFormat};
}

/**
 * The checks roiPool and the position-sensitive ops share, in order: known
 * options, outputSize, spatialScale, dataFormat, then x, boxes, boxIndices.
 */
export function checkPoolingArgs(
    op: string, x: Tensor|TensorLike, boxes: Tensor|TensorLike,
    boxIndices: Tensor|TensorLike|null|undefined, outputSize: number|[number, number],
    options: {spatialScale?: number, dataFormat?: DataFormat}, known: string[]) {
  checkKnownOptions(options, known, op);
  const [pooledHeight, pooledWidth] = parseOutputSize(outputSize, op);
  const {spatialScale, dataFormat} = checkPoolOptions(op, options, known);
  const checked = checkRoIInputs(op, x, boxes, boxIndices);
  return {...checked, pooledHeight, pooledWidth, spatialScale, dataFormat};
}

/** The channels of x, in either layout. */
export function channelsOf(x: Tensor, dataFormat: DataFormat): number {
  return x.shape[dataFormat === 'NCHW' ? 1 : 3] as number;
}

/** The columns of a box, as error messages name them. */
export interface BoxLayout {
  names: string[];
}

/** roiAlign's and roiPool's boxes. */
export const CORNER_BOXES: BoxLayout = {names: ['x1', 'y1', 'x2', 'y2']};

/** roiAlignRotated's boxes: centre, size and angle. */
export const ROTATED_BOXES: BoxLayout = {names: ['cx', 'cy', 'w', 'h', 'angle']};

export function checkSamplingRatio(value: unknown, op: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    fail(op, `samplingRatio must be an integer (<= 0 for adaptive), got ${show(value)}`);
  }
  if (value > MAX_SAMPLES_PER_BIN_AXIS) {
    fail(op, `samplingRatio must be at most ${MAX_SAMPLES_PER_BIN_AXIS} samples per bin and axis (MAX_SAMPLES_PER_BIN_AXIS), got ${
        show(value)}`);
  }
  return value;
}

/**
 * Checks x, boxes and boxIndices, then runs `kernelName` on them in the
 * kernels' layout and returns its result in the caller's. Call only inside
 * an op(), after the options are checked.
 */
export function runOnKernelLayout(
    op: string, kernelName: string, x: Tensor|TensorLike, boxes: Tensor|TensorLike,
    boxIndices: Tensor|TensorLike|null|undefined, dataFormat: DataFormat, attrs: NamedAttrMap,
    box: BoxLayout = CORNER_BOXES): Tensor4D {
  const checked = checkRoIInputs(op, x, boxes, boxIndices, box);
  checkOutputSize(op, [checked.boxes.shape[0], attrs.pooledHeight as number, attrs.pooledWidth as number,
    channelsOf(checked.x, dataFormat)], '[K,outH,outW,C]');
  const inputs = toKernelLayout(checked.x, checked.boxes, checked.boxIndices, dataFormat, box);
  return fromKernelLayout(engine().runKernel(kernelName, inputs, attrs) as Tensor4D, dataFormat);
}

/**
 * The most elements a result may have on the current backend, and why:
 * 2^31 - 1 everywhere (tensors and shaders index with int32); on webgl, the
 * texels of the largest texture; on webgpu, the largest storage binding.
 */
function outputElementLimit(): {limit: number, reason: string} {
  let limit = INT32_MAX, reason = '2^31 - 1, the most elements a tensor can index';
  const backendName = engine().backendName;
  try {
    if (backendName === 'webgl') {
      const side = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
      if (side * side < limit) {
        limit = side * side;
        reason = `WEBGL_MAX_TEXTURE_SIZE^2 = ${side}^2, the texels of webgl's largest texture`;
      }
    } else if (backendName === 'webgpu') {
      const device = (engine().backend as unknown as {device?: {limits?: {maxStorageBufferBindingSize?: number}}}).device;
      const bytes = device?.limits?.maxStorageBufferBindingSize;
      if (typeof bytes === 'number' && bytes / 4 < limit) {
        limit = Math.floor(bytes / 4);
        reason = `maxStorageBufferBindingSize / 4 = ${bytes} / 4, the float32 values of webgpu's largest buffer`;
      }
    }
  } catch {
    // A backend without these flags or limits keeps the int32 bound.
  }
  return {limit, reason};
}

/**
 * Refuses a result no backend could hold before anything is allocated, so
 * that a huge outputSize (or K, or C) gives an Error naming it rather than a
 * failure deep inside tfjs that leaves memory behind.
 */
export function checkOutputSize(op: string, shape: number[], names: string): void {
  const elements = shape.reduce((a, b) => a * b, 1);
  if (elements === 0) return;
  const {limit, reason} = outputElementLimit();
  if (elements > limit) {
    fail(op, `outputSize: the result ${names} = ${shapeText(shape)} would have ${
        elements} elements, more than ${limit} (${reason}); use fewer boxes or a smaller outputSize`);
  }
}
