/**
 * RoIPool's per-bin channel max in WebAssembly SIMD, four channels per
 * instruction: the JavaScript loop cannot vectorize, and this loop is the
 * whole cost of the forward kernel.
 *
 * f32x4.pmax(m, v) is `m < v ? v : m` lane by lane, which is RoIPool's
 * definition as it stands: from -FLT_MAX, a pixel replaces the running max
 * only when strictly greater. So NaN never wins, ties keep the first pixel
 * (-0 before 0 stays -0), and a bin of -Infinity gives -FLT_MAX, with no
 * special cases.
 *
 * The module is 176 bytes, below the 4 KB that browsers compile
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

// (func $binMax (param $pixels i32) (param $count i32) (param $quads i32) (param $out i32)
//   $pixels: byte offset of `count` i32 byte offsets, each a pixel's channel 0;
//   $out: byte offset of `quads` f32x4 results, channels [0, 4 * quads).
const BIN_MAX_MODULE = [
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  // "\0asm", version 1
  0x01, 0x08, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00,  // type 0: (i32 i32 i32 i32) -> ()
  0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01,  // import env.memory, min 1 page
  0x03, 0x02, 0x01, 0x00,  // function 0 has type 0
  0x07, 0x0a, 0x01, 0x06, 0x62, 0x69, 0x6e, 0x4d, 0x61, 0x78, 0x00, 0x00,  // export "binMax"
  0x0a, 0x7b, 0x01, 0x79,  // code: one body of 121 bytes
  0x02, 0x02, 0x7f, 0x01, 0x7b,  // locals: 4 $c (channel byte offset), 5 $i (pixel list byte offset) i32; 6 $m v128
  0x20, 0x02, 0x41, 0x04, 0x74, 0x21, 0x02,  // $quads <<= 4: the end of $c
  0x20, 0x01, 0x41, 0x02, 0x74, 0x21, 0x01,  // $count <<= 2: the end of $i
  0x02, 0x40, 0x03, 0x40,  // block, loop over channel quads
  0x20, 0x04, 0x20, 0x02, 0x4f, 0x0d, 0x01,  // break if $c >= $quads
  0xfd, 0x0c, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff,  // $m = f32x4.splat(-FLT_MAX)
  0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f, 0xff, 0x21, 0x06,
  0x41, 0x00, 0x21, 0x05,  // $i = 0
  0x02, 0x40, 0x03, 0x40,  // block, loop over the bin's pixels
  0x20, 0x05, 0x20, 0x01, 0x4f, 0x0d, 0x01,  // break if $i >= $count
  0x20, 0x06,  // $m
  0x20, 0x00, 0x20, 0x05, 0x6a, 0x28, 0x02, 0x00,  // i32.load($pixels + $i)
  0x20, 0x04, 0x6a, 0xfd, 0x00, 0x00, 0x00,  // v128.load(that + $c)
  0xfd, 0xeb, 0x01, 0x21, 0x06,  // $m = f32x4.pmax($m, that)
  0x20, 0x05, 0x41, 0x04, 0x6a, 0x21, 0x05,  // $i += 4
  0x0c, 0x00, 0x0b, 0x0b,  // continue; end loop, block
  0x20, 0x03, 0x20, 0x04, 0x6a, 0x20, 0x06, 0xfd, 0x0b, 0x00, 0x00,  // v128.store($out + $c, $m)
  0x20, 0x04, 0x41, 0x10, 0x6a, 0x21, 0x04,  // $c += 16
  0x0c, 0x00, 0x0b, 0x0b,  // continue; end loop, block
  0x0b,  // end function
];

type BinMaxExport = (pixels: number, count: number, quads: number, out: number) => void;

const PAGE_BYTES = 65536;
/** Up to this size the linear memory is kept for the next call; above it, it is left to the GC. */
const KEPT_MEMORY_BYTES = 64 * 1024 * 1024;

let compiled: WebAssembly.Module|null|undefined;
let kept: {memory: WebAssembly.Memory, binMax: BinMaxExport}|null = null;

function binMaxModule(): WebAssembly.Module|null {
  if (compiled === undefined) {
    try {
      const bytes = new Uint8Array(BIN_MAX_MODULE);
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
 * A SIMD bin max over one image's features, copied once into linear memory:
 * `max(pixels, count, out, o)` writes, for channels [0, quadChannels), the
 * max over `count` pixels (offsets in x of each pixel's channel 0) into
 * out[o ...]. Null when WebAssembly SIMD is unavailable or the memory cannot
 * be had; the caller then uses its JavaScript loop.
 */
export interface SimdBinMax {
  /** 4 * floor(channels / 4): the channels `max` computes; the caller does the rest. */
  quadChannels: number;
  max(pixels: Int32Array, count: number, out: Float32Array, o: number): void;
}

export function simdBinMax(xValues: Float32Array, channels: number, maxPixels: number): SimdBinMax|null {
  const module = binMaxModule();
  const quads = channels >> 2;
  if (module === null || quads === 0) return null;
  const pixelsAt = xValues.byteLength;
  const outAt = pixelsAt + 4 * maxPixels;
  const bytes = outAt + 16 * quads;
  let target = kept;
  try {
    if (target === null || target.memory.buffer.byteLength < bytes) {
      const pages = Math.ceil(bytes / PAGE_BYTES);
      const memory = new WebAssembly.Memory({initial: pages});
      const instance = new WebAssembly.Instance(module, {env: {memory}});
      target = {memory, binMax: instance.exports.binMax as BinMaxExport};
      kept = bytes <= KEPT_MEMORY_BYTES ? target : kept;
    }
  } catch {
    return null;
  }
  const {memory, binMax} = target;
  new Float32Array(memory.buffer, 0, xValues.length).set(xValues);
  const pixelList = new Int32Array(memory.buffer, pixelsAt, maxPixels);
  const result = new Float32Array(memory.buffer, outAt, 4 * quads);
  return {
    quadChannels: 4 * quads,
    max(pixels, count, out, o) {
      for (let i = 0; i < count; i++) pixelList[i] = 4 * pixels[i];
      binMax(pixelsAt, count, quads, outAt);
      out.set(result, o);
    },
  };
}
