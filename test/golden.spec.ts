import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiPool} from '../src/index';
import type {RoIAlignOptions} from '../src/index';
import {fixtures} from './fixtures';
import type {Fixture} from './fixtures';
import {describeEachBackend, expectTensorClose} from './harness';

function tensorOf(t: {shape: number[], data: number[]}): tf.Tensor {
  return tf.tensor(t.data, t.shape, 'float32');
}

/** The fixture's op as a function of (x, boxes), with its attributes. */
function opOf(f: Fixture) {
  const indices = tf.tensor1d(f.boxIndices, 'int32');
  const size = f.attrs.outputSize as [number, number];
  if (f.op === 'roiPool') {
    return {
      indices,
      run: (x: tf.Tensor, boxes: tf.Tensor) =>
          roiPool(x as tf.Tensor4D, boxes as tf.Tensor2D, indices, size, {spatialScale: f.attrs.spatialScale}),
    };
  }
  const options: RoIAlignOptions = {
    spatialScale: f.attrs.spatialScale,
    samplingRatio: f.attrs.samplingRatio,
    aligned: f.attrs.aligned,
    mode: f.attrs.mode as 'avg' | 'max',
  };
  return {
    indices,
    run: (x: tf.Tensor, boxes: tf.Tensor) =>
        roiAlign(x as tf.Tensor4D, boxes as tf.Tensor2D, indices, size, options),
  };
}

describeEachBackend('golden fixtures', () => {
  for (const f of fixtures) {
    it(`${f.name} (${f.source})`, async () => {
      const x = tensorOf(f.x), boxes = tensorOf(f.boxes), dy = tensorOf(f.dy);
      const {indices, run} = opOf(f);
      const y = run(x, boxes);
      await expectTensorClose(y, f.y.shape, f.y.data, `${f.name} y`);
      const [dx, dboxes] = tf.grads((a: tf.Tensor, b: tf.Tensor) => run(a, b))([x, boxes], dy);
      await expectTensorClose(dx, f.dx.shape, f.dx.data, `${f.name} dx`);
      if (f.dboxes) {
        await expectTensorClose(dboxes, f.dboxes.shape, f.dboxes.data, `${f.name} dboxes`);
      } else {
        await expectTensorClose(dboxes, f.boxes.shape, new Array(f.boxes.data.length).fill(0), `${f.name} dboxes`);
      }
      tf.dispose([x, boxes, dy, indices, y, dx, dboxes]);
    });
  }
});
