/**
 * roiPool on features holding NaN, +-Infinity and -0, against values worked
 * out by hand from torchvision's definition: a non-empty bin starts at
 * -FLT_MAX and takes a pixel only when strictly greater, in row-major order.
 * So NaN never wins, a bin of -Infinity gives -FLT_MAX and passes no
 * gradient, and on a tie (7 and 7, or -0 and 0) the first pixel gets it.
 */
import * as tf from '@tensorflow/tfjs';

import {roiPool} from '../src/index';
import {describeEachBackend, values} from './harness';

const FLT_MAX = 3.4028234663852886e38;

/**
 * A [1,2,4,3] map from its three channels, each listed as the pixels of the
 * two bins (bin 0: columns 0-1, bin 1: columns 2-3), row-major within a bin.
 */
function featureMap(channels: number[][][]): Float32Array {
  const x = new Float32Array(2 * 4 * 3);
  channels.forEach((bins, c) => {
    bins.forEach((pixels, bin) => {
      pixels.forEach((v, i) => {
        const h = i >> 1, w = 2 * bin + (i & 1);
        x[(h * 4 + w) * 3 + c] = v;
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

describeEachBackend('roiPool on non-finite features', () => {
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
  for (const {name, channels, y, dx} of cases) {
    it(`${name}: values and gradient`, async () => {
      const x = tf.tensor4d(featureMap(channels), [1, 2, 4, 3]);
      const boxes = tf.tensor2d(box);
      const boxIndices = tf.tensor1d([0], 'int32');
      const dy = tf.tensor4d(dyValues, [1, 1, 2, 3]);
      const pooled = roiPool(x, boxes, boxIndices, [1, 2]);
      expectExactly(await values(pooled), y, `${name}: y`);
      const grad = tf.grad((input: tf.Tensor) => roiPool(input as tf.Tensor4D, boxes, boxIndices, [1, 2]))(x, dy);
      const expectedDx = new Array<number>(2 * 4 * 3).fill(0);
      dx.forEach((entries, c) => {
        for (const [pixel, g] of entries) expectedDx[pixel * 3 + c] += g;
      });
      expectExactly(await values(grad), expectedDx, `${name}: dx`);
      tf.dispose([x, boxes, boxIndices, dy, pooled, grad]);
    });
  }
});
