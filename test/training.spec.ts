/**
 * The registered gradients work through tfjs's training APIs: one SGD step on
 * a golden fixture moves the variables by the fixture's torchvision gradients.
 */
import * as tf from '@tensorflow/tfjs';

import {roiAlign} from '../src/index';
import {fixtures} from './fixtures';
import {checkClose, describeEachBackend, values} from './harness';

describeEachBackend('training through tf.variableGrads and optimizer.minimize', () => {
  it('one SGD step on roialign_avg_1 moves x and boxes by -lr times the golden gradients', async () => {
    const f = fixtures.find(g => g.name === 'roialign_avg_1')!;
    const features = tf.variable(tf.tensor(f.x.data, f.x.shape));
    const boxes = tf.variable(tf.tensor2d(f.boxes.data, f.boxes.shape as [number, number]));
    const indices = tf.tensor1d(f.boxIndices, 'int32');
    const dy = tf.tensor(f.dy.data, f.dy.shape);
    const loss = () => tf.sum(tf.mul(
        roiAlign(features as tf.Tensor as tf.Tensor4D, boxes, indices, f.attrs.outputSize as [number, number], {
          spatialScale: f.attrs.spatialScale, samplingRatio: f.attrs.samplingRatio, aligned: f.attrs.aligned
        }),
        dy)) as tf.Scalar;

    const {grads} = tf.variableGrads(loss, [features, boxes]);
    checkClose(await values(grads[features.name]), f.dx.data, 'variableGrads features');
    checkClose(await values(grads[boxes.name]), f.dboxes!.data, 'variableGrads boxes');

    const lr = 0.1;
    tf.train.sgd(lr).minimize(loss);
    checkClose(await values(features), f.x.data.map((v, i) => v - lr * f.dx.data[i]), 'features after a step');
    checkClose(await values(boxes), f.boxes.data.map((v, i) => v - lr * f.dboxes!.data[i]), 'boxes after a step');
    tf.dispose([features, boxes, indices, dy, ...Object.values(grads)]);
  });
});
