import type {TypedArray} from '@tensorflow/tfjs-core';

import type {RoIInputs} from '../../src/kernel_names';

/**
 * What every shared RoI implementation reads, as plain typed arrays: any
 * backend that can hand over its tensors' values can run the *_impl.ts
 * functions beside this file. The ops have checked the dtypes and shapes: x
 * (and dy) are float32, x is NHWC, boxIndices has one entry per box.
 */
export interface RoIImplInputs {
  x: Float32Array;
  xShape: number[];
  boxes: TypedArray;
  boxIndices: TypedArray;
}

/** A gradient kernel's inputs: the forward's and dy, shaped as the forward's output. */
export interface RoIGradImplInputs extends RoIImplInputs {
  dy: Float32Array;
}

/**
 * The array an implementation writes: the caller's (a backend's own memory,
 * cleared here, since a gradient adds into it) or a new one.
 */
export function outputArray(out: Float32Array|undefined, size: number): Float32Array {
  if (out === undefined) return new Float32Array(size);
  if (out.length !== size) throw new Error(`output array has ${out.length} values, expected ${size}`);
  out.fill(0);
  return out;
}

/** A float64 accumulator rounded to float32, into the caller's array or a new one. */
export function roundedOutput(values: Float64Array, out?: Float32Array): Float32Array {
  const rounded = outputArray(out, values.length);
  // A loop: a float64-to-float32 TypedArray.set is slow in V8.
  for (let i = 0; i < values.length; i++) rounded[i] = values[i];
  return rounded;
}

/** A forward's y shape [K,outH,outW,C]. */
export function pooledShape(inputs: RoIInputs, attrs: {pooledHeight: number, pooledWidth: number}): number[] {
  return [inputs.boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, inputs.x.shape[3]];
}

/** A position-sensitive forward's y shape [K,outH,outW,C/(outH*outW)]. */
export function psPooledShape(inputs: RoIInputs, attrs: {pooledHeight: number, pooledWidth: number}): number[] {
  const {pooledHeight, pooledWidth} = attrs;
  return [inputs.boxes.shape[0], pooledHeight, pooledWidth, inputs.x.shape[3] / (pooledHeight * pooledWidth)];
}
