/** The op's layouts and argument forms agree with the kernels' own layout. */
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiPool} from '../src/index';
import {checkClose, describeEachBackend, randomValues, seededRandom, values} from './harness';

const N = 2, H = 5, W = 6, C = 3;
const boxesData = [[0.5, 1.2, 4.8, 4.1], [2.2, 0.3, 5.9, 3.7], [-1.1, 2.5, 3.3, 6.4]];
const indicesData = [1, 0, 1];

describeEachBackend('layouts and argument forms', () => {
  let x: tf.Tensor4D, boxes: tf.Tensor2D, indices: tf.Tensor1D, dy: tf.Tensor4D;
  beforeAll(() => {
    const random = seededRandom(7);
    x = tf.tensor4d(randomValues(random, N * H * W * C), [N, H, W, C]);
    boxes = tf.tensor2d(boxesData);
    indices = tf.tensor1d(indicesData, 'int32');
    dy = tf.tensor4d(randomValues(random, 3 * 2 * 2 * C), [3, 2, 2, C]);
  });
  afterAll(() => tf.dispose([x, boxes, indices, dy]));

  const ops = {
    'roiAlign avg': (a: tf.Tensor4D, b: tf.Tensor2D, i: tf.Tensor1D|null, dataFormat: 'NHWC'|'NCHW' = 'NHWC') =>
        roiAlign(a, b, i, 2, {samplingRatio: 2, aligned: true, dataFormat}),
    'roiAlign max': (a: tf.Tensor4D, b: tf.Tensor2D, i: tf.Tensor1D|null, dataFormat: 'NHWC'|'NCHW' = 'NHWC') =>
        roiAlign(a, b, i, [2, 2], {mode: 'max', dataFormat}),
    'roiPool': (a: tf.Tensor4D, b: tf.Tensor2D, i: tf.Tensor1D|null, dataFormat: 'NHWC'|'NCHW' = 'NHWC') =>
        roiPool(a, b, i, [2, 2], {dataFormat}),
  };

  for (const [name, run] of Object.entries(ops)) {
    it(`${name}: NCHW is the transpose of NHWC, forward and backward`, async () => {
      const xNCHW = tf.transpose(x, [0, 3, 1, 2]);
      const yNHWC = run(x, boxes, indices);
      const yNCHW = run(xNCHW, boxes, indices, 'NCHW');
      expect(yNCHW.shape).toEqual([3, C, 2, 2]);
      checkClose(await values(tf.transpose(yNCHW, [0, 2, 3, 1])), await values(yNHWC), 'y', {atol: 1e-6, rtol: 0});

      const [dxNHWC, dbNHWC] = tf.grads((a: tf.Tensor, b: tf.Tensor) => run(a as tf.Tensor4D, b as tf.Tensor2D, indices))([x, boxes], dy);
      const [dxNCHW, dbNCHW] = tf.grads((a: tf.Tensor, b: tf.Tensor) => run(a as tf.Tensor4D, b as tf.Tensor2D, indices, 'NCHW'))(
          [xNCHW, boxes], tf.transpose(dy, [0, 3, 1, 2]));
      checkClose(await values(tf.transpose(dxNCHW, [0, 2, 3, 1])), await values(dxNHWC), 'dx', {atol: 1e-6, rtol: 0});
      checkClose(await values(dbNCHW), await values(dbNHWC), 'dboxes', {atol: 1e-6, rtol: 1e-6});
    });

    it(`${name}: [K,5] boxes equal [K,4] boxes plus boxIndices`, async () => {
      const rois = tf.concat([tf.cast(tf.expandDims(indices, 1), 'float32'), boxes], 1) as tf.Tensor2D;
      checkClose(await values(run(x, rois, null)), await values(run(x, boxes, indices)), 'y', {atol: 0, rtol: 0});
      const [dx5, drois] = tf.grads((a: tf.Tensor, b: tf.Tensor) => run(a as tf.Tensor4D, b as tf.Tensor2D, null))([x, rois], dy);
      const [dx4, dboxes] = tf.grads((a: tf.Tensor, b: tf.Tensor) => run(a as tf.Tensor4D, b as tf.Tensor2D, indices))([x, boxes], dy);
      checkClose(await values(dx5), await values(dx4), 'dx', {atol: 0, rtol: 0});
      expect(drois.shape).toEqual([3, 5]);
      const expected = tf.concat([tf.zeros([3, 1]), dboxes], 1);
      checkClose(await values(drois), await values(expected), 'drois (batch column: zero)', {atol: 0, rtol: 0});
    });
  }

  it('outputSize n means [n, n], and TensorLike inputs are accepted', async () => {
    const arrays = roiAlign(await x.array(), boxesData, indicesData, 2, {samplingRatio: 2});
    const tensors = roiAlign(x, boxes, indices, [2, 2], {samplingRatio: 2});
    checkClose(await values(arrays), await values(tensors), 'y', {atol: 0, rtol: 0});
  });
});
