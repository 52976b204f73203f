/**
 * The cpu kernels' WebAssembly SIMD loops (kernels/cpu/wasm_simd.ts) on
 * their own. The kernels fall back to JavaScript without a word when the
 * module cannot start, so this checks that it starts wherever the suite runs
 * (Node and Chromium both have WebAssembly SIMD), and what it computes.
 */
import {simdChannelLoops} from '../kernels/cpu/wasm_simd';

const FLT_MAX = 3.4028234663852886e38;

describe('cpu WebAssembly SIMD loops', () => {
  // Three pixels of C = 6: four channels for the SIMD loops, two left to the caller.
  const x = new Float32Array([
    1, -0, NaN, -Infinity, 100, 100,
    5, 0, 3, -Infinity, 100, 100,
    -1, 7, 3, -Infinity, 100, 100,
  ]);
  const pixels = new Int32Array([0, 6, 12]);

  it('start here, and leave the channels past the last full four to the caller', () => {
    const loops = simdChannelLoops(x, 6, 3);
    if (loops === null) throw new Error('the WebAssembly SIMD module did not start');
    expect(loops.quadChannels).toBe(4);
    expect(simdChannelLoops(new Float32Array(3), 3, 1)).toBeNull();
  });

  it('binMax: strictly greater replaces, from -FLT_MAX (NaN never wins, -0 keeps its tie)', () => {
    const out = new Float32Array(7).fill(42);
    simdChannelLoops(x, 6, 3)!.binMax(pixels, 3, out, 1);
    expect(Array.from(out)).toEqual([42, 5, 7, 3, -FLT_MAX, 42, 42]);
    simdChannelLoops(x, 6, 3)!.binMax(new Int32Array([0, 6]), 2, out, 0);
    expect(Object.is(out[1], -0)).toBe(true);
  });

  it('weightedSum: the sum of weight * x over the pixels', () => {
    const out = new Float32Array(4);
    simdChannelLoops(x, 6, 3)!.weightedSum(pixels, new Float64Array([1, 2, 0.5]), 3, out, 0);
    expect(Array.from(out.subarray(0, 2))).toEqual([10.5, 3.5]);
    expect(Number.isNaN(out[2])).toBe(true);
    expect(out[3]).toBe(-Infinity);
  });

  it('scatterWeighted: values[pixel + c] += weight * dy, into zeros held in linear memory', () => {
    const loops = simdChannelLoops(18, 6, 3)!;
    const dy = new Float32Array([9, 9, 1, 2, 3, 4, 5, 6]);
    loops.scatterWeighted(pixels, new Float64Array([1, 2, 0.5]), 3, dy, 2);
    loops.scatterWeighted(new Int32Array([6]), new Float64Array([-1]), 1, dy, 2);
    expect(Array.from(loops.values)).toEqual([
      1, 2, 3, 4, 0, 0,
      1, 2, 3, 4, 0, 0,
      0.5, 1, 1.5, 2, 0, 0,
    ]);
  });

  it('pixelDots: adds each pixel\'s dot product with dy over the first four channels', () => {
    const finite = new Float32Array([
      1, 2, 3, 4, 100, 100,
      -1, 0, 0.5, 2, 100, 100,
      0, 0, 0, 0, 100, 100,
    ]);
    const dots = new Float64Array([10, 0, 0]);
    const dy = new Float32Array([1, -1, 2, 0.5, 7, 7]);
    simdChannelLoops(finite, 6, 3)!.pixelDots(pixels, 3, dy, 0, dots);
    expect(Array.from(dots)).toEqual([10 + 1 - 2 + 6 + 2, -1 + 0 + 1 + 1, 0]);
  });
});
