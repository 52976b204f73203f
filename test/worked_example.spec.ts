/**
 * The seed article's worked example, as the README shows it: an 8x8 map
 * holding 0..63 row by row, the RoI from (0,3) to (7,8), a 2x2 output. The
 * expected numbers are torchvision's (test/fixtures/seed_example_*.json).
 */
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiPool} from '../src/index';
import {describeEachBackend, expectTensorClose} from './harness';

describeEachBackend('the worked example of the README', () => {
  it('roiPool and roiAlign of RoI (0,3)-(7,8) on the 8x8 map 0..63', async () => {
    const x = tf.range(0, 64).reshape([1, 8, 8, 1]) as tf.Tensor4D;
    const box = tf.tensor2d([[0, 3, 7, 8]]);
    const index = tf.tensor1d([0], 'int32');
    // Rows 3..8 split into 3..5 and 6..8 (clipped to 7); columns 0..3 and 4..7.
    await expectTensorClose(roiPool(x, box, index, 2), [1, 2, 2, 1], [43, 47, 59, 63], 'roiPool');
    await expectTensorClose(
        roiAlign(x, box, index, 2, {samplingRatio: 2}), [1, 2, 2, 1], [35.75, 39.25, 54.25, 57.75],
        'roiAlign');
    await expectTensorClose(
        roiAlign(x, box, index, 2, {samplingRatio: 2, aligned: true}), [1, 2, 2, 1],
        [31.25, 34.75, 51.25, 54.75], 'roiAlign aligned');
    tf.dispose([x, box, index]);
  });
});
