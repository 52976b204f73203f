/**
 * roiPool on features holding NaN, +-Infinity and -0, against values worked
 * out by hand from torchvision's definition: a non-empty bin starts at
 * -FLT_MAX and takes a pixel only when strictly greater, in row-major order.
 * So NaN never wins, a bin of -Infinity gives -FLT_MAX and passes no
 * gradient, and on a tie (7 and 7, or -0 and 0) the first pixel gets it.
 */
import * as tf from '@tensorflow/tfjs';

import {CPU_WASM_FLAG} from '../kernels/cpu/wasm_bin_max';
import {roiPool} from '../src/index';
import {checkClose, describeEachBackend, randomValues, seededRandom, values} from './harness';
import {refRoiPool} from './reference';

const FLT_MAX = 3.4028234663852886e38;

/**
 * A [1,2,4,C] map from its C channels, each listed as the pixels of the
 * two bins (bin 0: columns 0-1, bin 1: columns 2-3), row-major within a bin.
 */
function featureMap(channels: number[][][]): Float32Array {
  const C = channels.length;
  const x = new Float32Array(2 * 4 * C);
  channels.forEach((bins, c) => {
    bins.forEach((pixels, bin) => {
      pixels.forEach((v, i) => {
        const h = i >> 1, w = 2 * bin + (i & 1);
        x[(h * 4 + w) * C + c] = v;
      });
    });
  });
  return x;
}

/** Exact equality (Infinity included; -0 equals 0, as in float comparison). */
function expectExactly(actual: ArrayLike<number>, expected: number[], label: string) {
  const differing = expected.filter((e, i) => actual[i] !== e).length;
  if (differing > 0 || actual.length !== expected.length) {
    throw new Error(`${label}: got [${Array.from(actual)}], expected [${expected}]`);
  }
  expect(differing).toBe(0);
}

/** Per-channel values for 3 channels, repeated `copies` times along the channel axis. */
function repeatChannels(perPixel: number[], channels: number, copies: number): number[] {
  const out: number[] = [];
  for (let p = 0; p < perPixel.length; p += channels) {
    for (let copy = 0; copy < copies; copy++) out.push(...perPixel.slice(p, p + channels));
  }
  return out;
}

/**
 * Runs body with the cpu kernels' WebAssembly allowed or not (null: leave
 * the flag alone, on the GPU backends), and restores the flag.
 */
async function withCpuWasm(wasm: boolean|null, body: () => Promise<void>): Promise<void> {
  if (wasm === null) return body();
  const before = tf.env().getBool(CPU_WASM_FLAG);
  tf.env().set(CPU_WASM_FLAG, wasm);
  try {
    await body();
  } finally {
    tf.env().set(CPU_WASM_FLAG, before);
  }
}

describeEachBackend('roiPool on non-finite features', (backend) => {
  // The box covers the whole 2x4 map; a 1x2 output makes two 2x2 bins.
  const box = [[0, 0, 3, 1]];
  const dyValues = [1, 2, 3, 4, 5, 6];  // [1,1,2,3]: bin 0 channels, then bin 1
  const cases = [
    {
      name: 'with NaN and -Infinity',
      channels: [
        [[NaN, 1, 2, NaN], [NaN, NaN, NaN, NaN]],
        [[-Infinity, -Infinity, -Infinity, -Infinity], [-Infinity, 5, Infinity, 3]],
        [[-0, 0, -1, 0], [3, 7, 7, 1]],
      ],
      y: [2, -FLT_MAX, 0, -FLT_MAX, Infinity, 7],
      // channel -> [pixel index in the map, gradient]
      dx: [[[4, 1]], [[6, 5]], [[0, 3], [3, 6]]],
    },
    {
      name: 'with +Infinity and -0 only',
      channels: [
        [[-2, 1, 2, -2], [-2, -2, -2, -2]],
        [[-3, -3, -3, -3], [-3, 5, Infinity, 3]],
        [[-0, 0, -1, 0], [3, 7, 7, 1]],
      ],
      y: [2, -3, 0, -2, Infinity, 7],
      dx: [[[4, 1], [2, 4]], [[0, 2], [6, 5]], [[0, 3], [3, 6]]],
    },
  ];
  // `copies` repeats the three channels, so C = 12 also reaches the cpu
  // kernel's SIMD loop (four channels at a time) and not only its tail.
  for (const copies of [1, 4]) {
    const C = 3 * copies;
    for (const wasm of backend === 'cpu' ? [true, false] : [null]) {
      const path = wasm === null ? '' : wasm ? ', cpu WebAssembly' : ', cpu JavaScript';
      for (const {name, channels, y, dx} of cases) {
        it(`${name}, C = ${C}${path}: values and gradient`, async () => {
          const repeated = Array.from({length: copies}, () => channels).flat();
          const x = tf.tensor4d(featureMap(repeated), [1, 2, 4, C]);
          const boxes = tf.tensor2d(box);
          const boxIndices = tf.tensor1d([0], 'int32');
          const dy = tf.tensor4d(repeatChannels(dyValues, 3, copies), [1, 1, 2, C]);
          await withCpuWasm(wasm, async () => {
            const pooled = roiPool(x, boxes, boxIndices, [1, 2]);
            expectExactly(await values(pooled), repeatChannels(y, 3, copies), `${name}: y`);
            const grad = tf.grad((input: tf.Tensor) => roiPool(input as tf.Tensor4D, boxes, boxIndices, [1, 2]))(x, dy);
            const expectedDx = new Array<number>(2 * 4 * C).fill(0);
            for (let copy = 0; copy < copies; copy++) {
              dx.forEach((entries, c) => {
                for (const [pixel, g] of entries) expectedDx[pixel * C + 3 * copy + c] += g;
              });
            }
            expectExactly(await values(grad), expectedDx, `${name}: dx`);
            tf.dispose([pooled, grad]);
          });
          tf.dispose([x, boxes, boxIndices, dy]);
        });
      }
    }
  }

  for (const wasm of backend === 'cpu' ? [true, false] : [null]) {
    const path = wasm === null ? '' : wasm ? ', cpu WebAssembly' : ', cpu JavaScript';
    it(`random features with C = 6 (four channels at a time and a tail)${path}`, async () => {
      const shape = [2, 9, 11, 6];
      const random = seededRandom(11);
      const x = randomValues(random, shape.reduce((a, b) => a * b));
      const boxes = [-2, 1, 10.4, 7.6, 3, 2, 4, 2.4, 0, 0, 20, 17, 5.5, 3.5, 6.5, 8.6, 2, 3, 1, 1];
      const boxIndices = [1, 0, 1, 0, 1];
      const options = {outH: 3, outW: 2, spatialScale: 1};
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const bt = tf.tensor2d(boxes, [5, 4]);
      const indices = tf.tensor1d(boxIndices, 'int32');
      await withCpuWasm(wasm, async () => {
        const pooled = roiPool(xt, bt, indices, [3, 2]);
        checkClose(await values(pooled), refRoiPool({x, boxes, boxIndices, shape}, options), 'y', {atol: 0, rtol: 0});
        pooled.dispose();
      });
      tf.dispose([xt, bt, indices]);
    });
  }
});
