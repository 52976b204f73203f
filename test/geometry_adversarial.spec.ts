/**
 * Adversarial geometry against torchvision (scripts/golden/adversarial.py):
 * boxes whose discrete decisions sit exactly on an edge, so that one
 * rounding more or less than torchvision's float32 arithmetic (a division
 * that is an ulp off, or a division by a known grid turned into a
 * multiplication) moves a sample across a pixel or the map's border, or
 * changes the grid, and gives a visibly different value.
 * - issue18: x = 1..9, box (0,0,6,6), output 1, samplingRatio 7, whose
 *   sample at exactly 3.0 = H counts (torchvision 2.1924198).
 * - multiples / pool: box sizes that are integer multiples of the output
 *   size at scales 1, 1/2, 1/4, 1/8 (RoIAlign's ceil(binSize), RoIPool's
 *   bin edges), on two images.
 * - edges: samples exactly on -1, 0, H - 1, H and -1, 0, W - 1, W.
 * - ratio: fixed samplingRatio 3, 5 and 7 with integer boxes.
 * - far: corners beyond 1e4 feature pixels reaching into a small map.
 * - psroialign: fixed ratios 3, 5 and 7 on integer-multiple boxes.
 * y and dx are torchvision's; the box gradient has no torchvision source
 * and is checked elsewhere against the float64 references.
 */
import * as tf from '@tensorflow/tfjs';

import {psRoiAlign, roiAlign, roiPool} from '../src/index';
import type {GoldenCase} from './fixtures';
import edges from './fixtures/adversarial_edges.json';
import far from './fixtures/adversarial_far.json';
import issue18 from './fixtures/adversarial_issue18.json';
import multiples from './fixtures/adversarial_multiples.json';
import pool from './fixtures/adversarial_pool.json';
import psroialign from './fixtures/adversarial_psroialign.json';
import ratio from './fixtures/adversarial_ratio.json';
import {describeEachBackend, expectTensorClose} from './harness';

type AdversarialCase = GoldenCase<'roiAlign'|'roiPool'|'psRoiAlign', {outputSize: number[], spatialScale: number, samplingRatio?: number, aligned?: boolean}>;

const groups = [issue18, multiples, edges, ratio, far, pool, psroialign] as Array<{cases: AdversarialCase[]}>;

function opOf(c: AdversarialCase, indices: tf.Tensor1D): (x: tf.Tensor, boxes: tf.Tensor) => tf.Tensor {
  const size = c.attrs.outputSize as [number, number];
  const spatialScale = c.attrs.spatialScale;
  const samplingRatio = c.attrs.samplingRatio;
  if (c.op === 'roiPool') {
    return (x, boxes) => roiPool(x as tf.Tensor4D, boxes as tf.Tensor2D, indices, size, {spatialScale});
  }
  if (c.op === 'psRoiAlign') {
    return (x, boxes) =>
               psRoiAlign(x as tf.Tensor4D, boxes as tf.Tensor2D, indices, size, {spatialScale, samplingRatio});
  }
  return (x, boxes) => roiAlign(
             x as tf.Tensor4D, boxes as tf.Tensor2D, indices, size,
             {spatialScale, samplingRatio, aligned: c.attrs.aligned, mode: 'avg'});
}

describeEachBackend('adversarial geometry (torchvision)', () => {
  for (const group of groups) {
    for (const c of group.cases) {
      it(`${c.name} (${c.source})`, async () => {
        const x = tf.tensor(c.x.data, c.x.shape, 'float32');
        const boxes = tf.tensor(c.boxes.data, c.boxes.shape, 'float32');
        const dy = tf.tensor(c.dy.data, c.dy.shape, 'float32');
        const indices = tf.tensor1d(c.boxIndices, 'int32');
        const run = opOf(c, indices);
        const y = run(x, boxes);
        await expectTensorClose(y, c.y.shape, c.y.data, `${c.name} y`);
        const dx = tf.grad((a: tf.Tensor) => run(a, boxes))(x, dy);
        await expectTensorClose(dx, c.dx.shape, c.dx.data, `${c.name} dx`);
        tf.dispose([x, boxes, dy, indices, y, dx]);
      });
    }
  }
});
