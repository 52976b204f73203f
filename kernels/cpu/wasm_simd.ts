/**
 * The shared implementations' innermost channel loops in WebAssembly SIMD
 * (cpu and wasm backends), four channels per instruction: JavaScript cannot
 * vectorize them, and they are nearly the whole cost of RoIPool's forward
 * and of RoIAlign 'avg' forward and backward. The geometry (which pixels a
 * bin reads, and their weights) stays in JavaScript, in src/geometry.ts;
 * these loops only read and write the pixels. Their source is
 * wasm_simd.wat, assembled into wasm_simd_bytes.ts by scripts/build_wasm.mjs.
 *
 * The module is about 650 bytes, below the 4 KB that browsers compile
 * synchronously on the main thread (kernels must be synchronous). Where
 * WebAssembly or its SIMD is missing or refused (a Content-Security-Policy
 * without 'wasm-unsafe-eval', say), the callers fall back to JavaScript.
 */
import {env} from '@tensorflow/tfjs-core';

import {WASM_SIMD_BYTES} from './wasm_simd_bytes';

/**
 * tf.env() flag, true by default: set it to false and the shared
 * implementations keep to JavaScript, on the cpu and wasm backends alike
 * (the suite runs both ways).
 */
export const CPU_WASM_FLAG = 'ROI_CPU_WASM';
env().registerFlag(CPU_WASM_FLAG, () => true);

/** Whether the shared implementations may use WebAssembly (the flag; support is checked apart). */
export function cpuWasmAllowed(): boolean {
  return env().getBool(CPU_WASM_FLAG);
}

type SimdFunction = (pixels: number, count: number, list: number, quads: number, out: number) => void;
type Exports = Record<'binMax'|'weightedSum'|'scatterWeighted'|'pixelDots', SimdFunction>;

const PAGE_BYTES = 65536;
/** Up to this size the linear memory is kept for the next call; above it, it is left to the GC. */
const KEPT_MEMORY_BYTES = 64 * 1024 * 1024;

let compiled: WebAssembly.Module|null|undefined;
let kept: {memory: WebAssembly.Memory, exports: Exports}|null = null;

function simdModule(): WebAssembly.Module|null {
  if (compiled === undefined) {
    try {
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(WASM_SIMD_BYTES) ?
          new WebAssembly.Module(WASM_SIMD_BYTES) :
          null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * The SIMD loops over one call's values (x, or a gradient being summed),
 * held in linear memory. Each works on channels [0, quadChannels) of one
 * bin; the caller does the remaining channels. Pixels are given as offsets
 * in the values of each pixel's channel 0.
 */
export interface SimdChannelLoops {
  /** 4 * floor(channels / 4). */
  quadChannels: number;
  /** The values in linear memory: where the caller's own channels read, and write a gradient. */
  values: Float32Array;
  /** out[o + c] = the max over the pixels. */
  binMax(pixels: Int32Array, count: number, out: Float32Array, o: number): void;
  /** out[o + c] = the sum over the pixels of weights[i] * values (weights rounded to float32). */
  weightedSum(pixels: Int32Array, weights: Float64Array, count: number, out: Float32Array, o: number): void;
  /** values[pixel + c] += weights[i] * dy[dyOffset + c] for each pixel. */
  scatterWeighted(pixels: Int32Array, weights: Float64Array, count: number, dy: Float32Array, dyOffset: number): void;
  /** dots[i] += the sum over c of values[pixel_i + c] * dy[dyOffset + c]. */
  pixelDots(pixels: Int32Array, count: number, dy: Float32Array, dyOffset: number, dots: Float64Array): void;
}

/**
 * The loops for `values` (or that many zeros) with `channels` channels and
 * bins of at most maxPixels pixels, or null when WebAssembly SIMD is
 * unavailable, the memory cannot be had, or there is no full quad of
 * channels.
 */
export function simdChannelLoops(
    values: Float32Array|number, channels: number, maxPixels: number): SimdChannelLoops|null {
  const module = simdModule();
  const quads = channels >> 2;
  if (module === null || quads === 0) return null;
  const length = typeof values === 'number' ? values : values.length;
  const pixelsAt = 4 * length;
  const weightsAt = pixelsAt + 4 * maxPixels;
  const rowAt = weightsAt + 4 * maxPixels;
  const dotsAt = rowAt + 16 * quads;
  const bytes = dotsAt + 4 * maxPixels;
  let target = kept;
  try {
    if (target === null || target.memory.buffer.byteLength < bytes) {
      const memory = new WebAssembly.Memory({initial: Math.ceil(bytes / PAGE_BYTES)});
      const instance = new WebAssembly.Instance(module, {env: {memory}});
      target = {memory, exports: instance.exports as unknown as Exports};
      if (bytes <= KEPT_MEMORY_BYTES) kept = target;
    }
  } catch {
    return null;
  }
  const {memory, exports} = target;
  const held = new Float32Array(memory.buffer, 0, length);
  if (typeof values === 'number') held.fill(0); else held.set(values);
  const pixelList = new Int32Array(memory.buffer, pixelsAt, maxPixels);
  const weightList = new Float32Array(memory.buffer, weightsAt, maxPixels);
  const row = new Float32Array(memory.buffer, rowAt, 4 * quads);
  const dotList = new Float32Array(memory.buffer, dotsAt, maxPixels);
  const listPixels = (pixels: Int32Array, count: number) => {
    for (let i = 0; i < count; i++) pixelList[i] = 4 * pixels[i];
  };
  const listWeights = (weights: Float64Array, count: number) => {
    for (let i = 0; i < count; i++) weightList[i] = weights[i];
  };
  const quadChannels = 4 * quads;
  return {
    quadChannels,
    values: held,
    binMax(pixels, count, out, o) {
      listPixels(pixels, count);
      exports.binMax(pixelsAt, count, 0, quads, rowAt);
      out.set(row, o);
    },
    weightedSum(pixels, weights, count, out, o) {
      listPixels(pixels, count);
      listWeights(weights, count);
      exports.weightedSum(pixelsAt, count, weightsAt, quads, rowAt);
      out.set(row, o);
    },
    scatterWeighted(pixels, weights, count, dy, dyOffset) {
      listPixels(pixels, count);
      listWeights(weights, count);
      row.set(dy.subarray(dyOffset, dyOffset + quadChannels));
      exports.scatterWeighted(pixelsAt, count, weightsAt, quads, rowAt);
    },
    pixelDots(pixels, count, dy, dyOffset, dots) {
      listPixels(pixels, count);
      row.set(dy.subarray(dyOffset, dyOffset + quadChannels));
      exports.pixelDots(pixelsAt, count, rowAt, quads, dotsAt);
      for (let i = 0; i < count; i++) dots[i] += dotList[i];
    },
  };
}
