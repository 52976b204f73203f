/**
 * The cpu kernels' innermost channel loops in WebAssembly SIMD, four
 * channels per instruction: JavaScript cannot vectorize them, and they are
 * nearly the whole cost of the RoIPool and RoIAlign 'avg' forward kernels.
 * The geometry (which pixels a bin reads, and their weights) stays in
 * JavaScript, in src/geometry.ts; these loops only read the pixels.
 *
 * The module is a few hundred bytes, below the 4 KB that browsers compile
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
const GET = 0x20, SET = 0x21, I32 = 0x7f, V128 = 0x7b;
const I32_CONST = 0x41, I32_ADD = 0x6a, I32_SHL = 0x74, I32_GE_U = 0x4f;
const I32_LOAD = 0x28, F32_LOAD = 0x2a;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00], V128_STORE = [SIMD, 0x0b], V128_CONST = [SIMD, 0x0c];
const F32X4_SPLAT = [SIMD, 0x13], F32X4_ADD = [SIMD, 0xe4, 0x01], F32X4_MUL = [SIMD, 0xe6, 0x01];
const F32X4_PMAX = [SIMD, 0xeb, 0x01];
/** memarg: alignment exponent, then offset 0. */
const ALIGN_1 = [0x00, 0x00], ALIGN_4 = [0x02, 0x00];

const f32x4Splat = (bits: number[]) => [...V128_CONST, ...bits, ...bits, ...bits, ...bits];
/** -FLT_MAX, little-endian. */
const LOWEST = f32x4Splat([0xff, 0xff, 0x7f, 0xff]);
const ZERO = f32x4Splat([0, 0, 0, 0]);

/**
 * The shared shape of both functions: params 0 $pixels (byte offset of
 * `count` i32 byte offsets, each a pixel's channel 0) and 1 $count, then
 * `extra` params, then $quads and $out (byte offset of `quads` f32x4
 * results). For each quad of channels at byte offset $c: $m = `start`, then
 * for each pixel (byte offset $i into the lists) `step`, then store $m.
 */
function channelQuadLoop(
    extra: number, start: number[], step: (i: number, c: number, m: number) => number[]): number[] {
  const count = 1, quads = 2 + extra, out = 3 + extra;
  const c = 4 + extra, i = 5 + extra, m = 6 + extra;
  return [
    0x02, 0x02, I32, 0x01, V128,  // locals: $c, $i i32; $m v128
    GET, quads, I32_CONST, 4, I32_SHL, SET, quads,  // $quads <<= 4: the end of $c
    GET, count, I32_CONST, 2, I32_SHL, SET, count,  // $count <<= 2: the end of $i
    BLOCK, VOID, LOOP, VOID,
    GET, c, GET, quads, I32_GE_U, BR_IF, 1,
    ...start, SET, m,
    I32_CONST, 0, SET, i,
    BLOCK, VOID, LOOP, VOID,
    GET, i, GET, count, I32_GE_U, BR_IF, 1,
    ...step(i, c, m),
    GET, i, I32_CONST, 4, I32_ADD, SET, i,
    BR, 0, END, END,
    GET, out, GET, c, I32_ADD, GET, m, ...V128_STORE, ...ALIGN_1,
    GET, c, I32_CONST, 16, I32_ADD, SET, c,
    BR, 0, END, END,
    END,
  ];
}

/** The quad of channels at $c of pixel $i: v128.load(i32.load($pixels + $i) + $c). */
const loadPixelQuad = (i: number, c: number) =>
  [GET, 0, GET, i, I32_ADD, I32_LOAD, ...ALIGN_4, GET, c, I32_ADD, ...V128_LOAD, ...ALIGN_1];

/**
 * binMax($pixels, $count, $quads, $out): RoIPool's bin max. f32x4.pmax(m, v)
 * is `m < v ? v : m` lane by lane, which is the definition as it stands:
 * from -FLT_MAX, a pixel replaces the running max only when strictly
 * greater. So NaN never wins, ties keep the first pixel (-0 before 0 stays
 * -0), and a bin of -Infinity gives -FLT_MAX, with no special cases.
 */
const BIN_MAX = channelQuadLoop(0, LOWEST, (i, c, m) => [
  GET, m, ...loadPixelQuad(i, c), ...F32X4_PMAX, SET, m,
]);

/**
 * weightedSum($pixels, $count, $weights, $quads, $out): RoIAlign 'avg', the
 * sum over the bin's pixels of weight * x in float32, in pixel order, as
 * torchvision's float kernels sum; $weights holds one f32 per pixel.
 */
const WEIGHTED_SUM = channelQuadLoop(1, ZERO, (i, c, m) => [
  GET, m, ...loadPixelQuad(i, c),
  GET, 2, GET, i, I32_ADD, F32_LOAD, ...ALIGN_4, ...F32X4_SPLAT,
  ...F32X4_MUL, ...F32X4_ADD, SET, m,
]);

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

function assemble(): Uint8Array<ArrayBuffer> {
  const signature = (params: number) => [0x60, params, ...new Array<number>(params).fill(I32), 0x00];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, ...signature(4), ...signature(5)]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x01]),  // memory, min 1 page
    ...section(3, [2, 0, 1]),
    ...section(7, [2, ...name('binMax'), 0x00, 0, ...name('weightedSum'), 0x00, 1]),
    ...section(10, [2, ...sized(BIN_MAX), ...sized(WEIGHTED_SUM)]),
  ]);
}

interface Exports {
  binMax(pixels: number, count: number, quads: number, out: number): void;
  weightedSum(pixels: number, count: number, weights: number, quads: number, out: number): void;
}

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
 * The SIMD loops over one call's features, copied once into linear memory.
 * Each computes channels [0, quadChannels) of one bin into out[o ...]; the
 * caller does the remaining channels.
 */
export interface SimdChannelLoops {
  /** 4 * floor(channels / 4). */
  quadChannels: number;
  /** The max over `count` pixels (offsets in x of each pixel's channel 0). */
  binMax(pixels: Int32Array, count: number, out: Float32Array, o: number): void;
  /** The sum over `count` pixels of weights[i] * x (weights rounded to float32). */
  weightedSum(pixels: Int32Array, weights: Float64Array, count: number, out: Float32Array, o: number): void;
}

/**
 * The loops for features xValues with `channels` channels and bins of at
 * most maxPixels pixels, or null when WebAssembly SIMD is unavailable, the
 * memory cannot be had, or there is no full quad of channels.
 */
export function simdChannelLoops(
    xValues: Float32Array, channels: number, maxPixels: number): SimdChannelLoops|null {
  const module = simdModule();
  const quads = channels >> 2;
  if (module === null || quads === 0) return null;
  const pixelsAt = xValues.byteLength;
  const weightsAt = pixelsAt + 4 * maxPixels;
  const outAt = weightsAt + 4 * maxPixels;
  const bytes = outAt + 16 * quads;
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
  new Float32Array(memory.buffer, 0, xValues.length).set(xValues);
  const pixelList = new Int32Array(memory.buffer, pixelsAt, maxPixels);
  const weightList = new Float32Array(memory.buffer, weightsAt, maxPixels);
  const result = new Float32Array(memory.buffer, outAt, 4 * quads);
  const listPixels = (pixels: Int32Array, count: number) => {
    for (let i = 0; i < count; i++) pixelList[i] = 4 * pixels[i];
  };
  return {
    quadChannels: 4 * quads,
    binMax(pixels, count, out, o) {
      listPixels(pixels, count);
      exports.binMax(pixelsAt, count, quads, outAt);
      out.set(result, o);
    },
    weightedSum(pixels, weights, count, out, o) {
      listPixels(pixels, count);
      for (let i = 0; i < count; i++) weightList[i] = weights[i];
      exports.weightedSum(pixelsAt, count, weightsAt, quads, outAt);
      out.set(result, o);
    },
  };
}
