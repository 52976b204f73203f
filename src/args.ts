/**
 * Argument checking and layout translation shared by the public ops. Every
 * check runs before any kernel, and its message names the argument.
 */
import {cast, customGrad, fill, greater, less, logicalAnd, reshape, scalar, split, Tensor, tensor, transpose, where, zerosLike} from '@tensorflow/tfjs-core';
import type {DataType, GradSaveFunc, TensorLike} from '@tensorflow/tfjs-core';
import {engine} from '@tensorflow/tfjs-core';
import type {NamedAttrMap, Tensor4D} from '@tensorflow/tfjs-core';

export type DataFormat = 'NHWC'|'NCHW';

export function fail(op: string, message: string): never {
  throw new Error(`${op}: ${message}`);
}

/** A Tensor as given, or a new one of `dtype` made from a TensorLike. */
export function toTensor(
    value: Tensor|TensorLike, name: string, op: string, dtype: DataType): Tensor {
  if (value instanceof Tensor) {
    if (value.dtype !== dtype) {
      fail(op, `${name} must be ${dtype}, got ${value.dtype}`);
    }
    return value;
  }
  if (value == null) fail(op, `${name} is required`);
  try {
    return tensor(value as TensorLike, undefined, dtype);
  } catch (e) {
    return fail(op, `${name} must be a Tensor or a nested array of numbers (${
        (e as Error).message})`);
  }
}

export function shapeText(shape: number[]): string {
  return `[${shape.join(',')}]`;
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
        JSON.stringify(outputSize)}`);
  }
  return [size[0], size[1]];
}

export function checkSpatialScale(value: unknown, op: string): number {
  if (typeof value !== 'number' || !isFinite(value) || value <= 0) {
    fail(op, `spatialScale must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

export function checkDataFormat(value: unknown, op: string): DataFormat {
  if (value !== 'NHWC' && value !== 'NCHW') {
    fail(op, `dataFormat must be 'NHWC' or 'NCHW', got ${JSON.stringify(value)}`);
  }
  return value;
}

export function checkKnownOptions(
    options: object, known: string[], op: string): void {
  if (options === null || typeof options !== 'object') {
    fail(op, `options must be an object, got ${String(options)}`);
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
  const $boxes = toTensor(boxes, 'boxes', op, 'float32');
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

/**
 * The checks roiPool and the position-sensitive ops share, in order: known
 * options, outputSize, spatialScale, dataFormat, then x, boxes, boxIndices.
 */
export function checkPoolingArgs(
    op: string, x: Tensor|TensorLike, boxes: Tensor|TensorLike,
    boxIndices: Tensor|TensorLike|null|undefined, outputSize: number|[number, number],
    options: {spatialScale?: number, dataFormat?: DataFormat}, known: string[]) {
  checkKnownOptions(options, known, op);
  const {spatialScale = 1, dataFormat = 'NHWC'} = options;
  const [pooledHeight, pooledWidth] = parseOutputSize(outputSize, op);
  checkSpatialScale(spatialScale, op);
  checkDataFormat(dataFormat, op);
  const checked = checkRoIInputs(op, x, boxes, boxIndices);
  return {...checked, pooledHeight, pooledWidth, spatialScale, dataFormat};
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
    fail(op, `samplingRatio must be an integer (<= 0 for adaptive), got ${String(value)}`);
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
  const inputs = toKernelLayout(checked.x, checked.boxes, checked.boxIndices, dataFormat, box);
  return fromKernelLayout(engine().runKernel(kernelName, inputs, attrs) as Tensor4D, dataFormat);
}
