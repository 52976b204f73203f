/**
 * roiPool on features holding NaN, +-Infinity and -0, against values worked
 * out by hand from torchvision's definition: a non-empty bin starts at
 * -FLT_MAX and takes a pixel only when strictly greater, in row-major order.
 * So NaN never wins, a bin of -Infinity gives -FLT_MAX and passes no
 * gradient, and on a tie (7 and 7, or -0 and 0) the first pixel gets it.
 */
import * as tf from '@tensorflow/tfjs';

import {roiPool} from '../src/index';
import {cpuPathName, cpuWasmChoices, describeEachBackend, values, withCpuWasm} from './harness';

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
    for (const wasm of cpuWasmChoices(backend)) {
      for (const {name, channels, y, dx} of cases) {
        it(`${name}, C = ${C}: values and gradient${cpuPathName(wasm)}`, async () => {
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
});
