/**
 * The cpu kernels' innermost channel loops in WebAssembly SIMD, four
 * channels per instruction: JavaScript cannot vectorize them, and they are
 * nearly the whole cost of RoIPool's forward and of RoIAlign 'avg' forward
 * and backward. The geometry (which pixels a bin reads, and their weights)
 * stays in JavaScript, in src/geometry.ts; these loops only read and write
 * the pixels.
 *
 * The module is about 650 bytes, below the 4 KB that browsers compile
 * synchronously on the main thread (kernels must be synchronous). Where
 * WebAssembly or its SIMD is missing or refused (a Content-Security-Policy
 * without 'wasm-unsafe-eval', say), the callers fall back to JavaScript.
 */
import {env} from '@tensorflow/tfjs-core';

/**
 * tf.env() flag, true by default: set it to false and the cpu kernels keep
 * to JavaScript (the suite runs both ways).
 */
export const CPU_WASM_FLAG = 'ROI_CPU_WASM';
env().registerFlag(CPU_WASM_FLAG, () => true);

/** Whether the cpu kernels may use WebAssembly (the flag; support is checked apart). */
export function cpuWasmAllowed(): boolean {
  return env().getBool(CPU_WASM_FLAG);
}

// Opcodes used below (WebAssembly core and SIMD).
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40;
const GET = 0x20, SET = 0x21, TEE = 0x22, I32 = 0x7f, V128 = 0x7b;
const I32_CONST = 0x41, I32_ADD = 0x6a, I32_SHL = 0x74, I32_GE_U = 0x4f;
const I32_LOAD = 0x28, F32_LOAD = 0x2a, F32_STORE = 0x38, F32_ADD = 0x92;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00], V128_STORE = [SIMD, 0x0b], V128_CONST = [SIMD, 0x0c];
const F32X4_SPLAT = [SIMD, 0x13], F32X4_ADD = [SIMD, 0xe4, 0x01], F32X4_MUL = [SIMD, 0xe6, 0x01];
const F32X4_PMAX = [SIMD, 0xeb, 0x01];
const f32x4Lane = (lane: number) => [SIMD, 0x1f, lane];
/** memarg: alignment exponent, then offset 0. */
const ALIGN_1 = [0x00, 0x00], ALIGN_4 = [0x02, 0x00];

const f32x4Splat = (bits: number[]) => [...V128_CONST, ...bits, ...bits, ...bits, ...bits];
/** -FLT_MAX, little-endian. */
const LOWEST = f32x4Splat([0xff, 0xff, 0x7f, 0xff]);
const ZERO = f32x4Splat([0, 0, 0, 0]);

/**
 * Every function has params 0 $pixels (byte offset of `count` i32 byte
 * offsets, each a pixel's channel 0), 1 $count, 2 $list (a second list: one
 * f32 weight per pixel, or the bin's dy), 3 $quads and 4 $out; and locals
 * 5 $c (byte offset of a quad of channels), 6 $i (byte offset into the
 * pixel lists), 7 $a (an address) and 8 $m (a v128).
 */
const PIXELS = 0, COUNT = 1, LIST = 2, QUADS = 3, OUT = 4, C = 5, I = 6, A = 7, M = 8;
const LOCALS = [0x02, 0x03, I32, 0x01, V128];
/** $quads <<= 4 and $count <<= 2: the ends of $c and $i. */
const BYTE_ENDS = [GET, QUADS, I32_CONST, 4, I32_SHL, SET, QUADS, GET, COUNT, I32_CONST, 2, I32_SHL, SET, COUNT];

/** `for (local = 0; local < end; local += step) body`, as a block around a loop. */
function forEach(local: number, end: number, step: number, body: number[]): number[] {
  return [
    I32_CONST, 0, SET, local,
    BLOCK, VOID, LOOP, VOID,
    GET, local, GET, end, I32_GE_U, BR_IF, 1,
    ...body,
    GET, local, I32_CONST, step, I32_ADD, SET, local,
    BR, 0, END, END,
  ];
}

/** The address of pixel $i's quad of channels at $c. */
const PIXEL_ADDRESS = [GET, PIXELS, GET, I, I32_ADD, I32_LOAD, ...ALIGN_4, GET, C, I32_ADD];
const PIXEL_QUAD = [...PIXEL_ADDRESS, ...V128_LOAD, ...ALIGN_1];
/** The $i-th f32 of $list, in all four lanes. */
const LIST_WEIGHT = [GET, LIST, GET, I, I32_ADD, F32_LOAD, ...ALIGN_4, ...F32X4_SPLAT];
/** The quad at $c of $list (the bin's dy). */
const LIST_QUAD = [GET, LIST, GET, C, I32_ADD, ...V128_LOAD, ...ALIGN_1];

/**
 * For each quad of channels: $m = start, then `step` for each pixel, then
 * store $m at $out + $c.
 */
function reduceOverPixels(start: number[], step: number[]): number[] {
  return [
    ...LOCALS, ...BYTE_ENDS,
    ...forEach(C, QUADS, 16, [
      ...start, SET, M,
      ...forEach(I, COUNT, 4, step),
      GET, OUT, GET, C, I32_ADD, GET, M, ...V128_STORE, ...ALIGN_1,
    ]),
    END,
  ];
}

/**
 * binMax: RoIPool's bin max. f32x4.pmax(m, v) is `m < v ? v : m` lane by
 * lane, which is the definition as it stands: from -FLT_MAX, a pixel
 * replaces the running max only when strictly greater. So NaN never wins,
 * ties keep the first pixel (-0 before 0 stays -0), and a bin of -Infinity
 * gives -FLT_MAX, with no special cases. ($list is unused.)
 */
const BIN_MAX = reduceOverPixels(LOWEST, [GET, M, ...PIXEL_QUAD, ...F32X4_PMAX, SET, M]);

/**
 * weightedSum: RoIAlign 'avg', the sum over the bin's pixels of weight * x
 * in float32, in pixel order, as torchvision's float kernels sum.
 */
const WEIGHTED_SUM = reduceOverPixels(ZERO, [
  GET, M, ...PIXEL_QUAD, ...LIST_WEIGHT, ...F32X4_MUL, ...F32X4_ADD, SET, M,
]);

/**
 * scatterWeighted: its backward w.r.t. x, x[pixel] += weight * dy for each
 * of the bin's pixels ($list: the weights; $out: the bin's dy), in place.
 */
const SCATTER_WEIGHTED = [
  ...LOCALS, ...BYTE_ENDS,
  ...forEach(C, QUADS, 16, [
    GET, OUT, GET, C, I32_ADD, ...V128_LOAD, ...ALIGN_1, SET, M,
    ...forEach(I, COUNT, 4, [
      ...PIXEL_ADDRESS, TEE, A,
      GET, A, ...V128_LOAD, ...ALIGN_1, ...LIST_WEIGHT, GET, M, ...F32X4_MUL, ...F32X4_ADD,
      ...V128_STORE, ...ALIGN_1,
    ]),
  ]),
  END,
];

/**
 * pixelDots: for the box gradient, $out[i] = the dot product over the
 * channel quads of pixel i with the bin's dy ($list), the four lanes added
 * last ((l0 + l1) + l2) + l3.
 */
const PIXEL_DOTS = [
  ...LOCALS, ...BYTE_ENDS,
  ...forEach(I, COUNT, 4, [
    ...ZERO, SET, M,
    ...forEach(C, QUADS, 16, [GET, M, ...PIXEL_QUAD, ...LIST_QUAD, ...F32X4_MUL, ...F32X4_ADD, SET, M]),
    GET, OUT, GET, I, I32_ADD,
    GET, M, ...f32x4Lane(0), GET, M, ...f32x4Lane(1), F32_ADD,
    GET, M, ...f32x4Lane(2), F32_ADD, GET, M, ...f32x4Lane(3), F32_ADD,
    F32_STORE, ...ALIGN_4,
  ]),
  END,
];

function uleb(n: number): number[] {
  const bytes: number[] = [];
  do {
    const low = n & 0x7f;
    n >>>= 7;
    bytes.push(n === 0 ? low : low | 0x80);
  } while (n !== 0);
  return bytes;
}
const sized = (bytes: number[]) => [...uleb(bytes.length), ...bytes];
const section = (id: number, bytes: number[]) => [id, ...sized(bytes)];
const name = (s: string) => sized([...s].map(ch => ch.charCodeAt(0)));

const FUNCTIONS: Array<[string, number[]]> = [
  ['binMax', BIN_MAX], ['weightedSum', WEIGHTED_SUM], ['scatterWeighted', SCATTER_WEIGHTED],
  ['pixelDots', PIXEL_DOTS],
];

function assemble(): Uint8Array<ArrayBuffer> {
  const n = FUNCTIONS.length;
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0x00]),  // type 0: five i32 params, no result
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),  // memory, min 1 page
    ...section(3, [n, ...new Array<number>(n).fill(0)]),
    ...section(7, [n, ...FUNCTIONS.flatMap(([fn], index) => [...name(fn), 0x00, index])]),
    ...section(10, [n, ...FUNCTIONS.flatMap(([, body]) => sized(body))]),
  ]);
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
      const bytes = assemble();
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ?
          new WebAssembly.Module(bytes) :
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
