/**
 * Gradients are deterministic: the same backward pass, run twice, gives the
 * same bits. Many overlapping boxes make every dx element and every box sum
 * many terms, so an order that varied from run to run (float atomics, racing
 * accumulation) would show. The values themselves are checked against the
 * float64 reference, forward and by central differences.
 */
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiPool} from '../src/index';
import type {RoIAlignOptions} from '../src/index';
import {checkClose, describeEachBackend, randomValues, seededRandom, values} from './harness';
import {numericGradient, refRoiAlign, RefInput, refRoiPool} from './reference';

const shape = [2, 7, 8, 3];
const numBoxes = 14;
const out = 3;

/** Boxes all over image 0 and 1, most of them overlapping most others. */
function overlappingCase(seed: number) {
  const random = seededRandom(seed);
  const [N, H, W, C] = shape;
  const x = randomValues(random, N * H * W * C);
  const boxes = new Float32Array(4 * numBoxes);
  const boxIndices = new Int32Array(numBoxes);
  for (let k = 0; k < numBoxes; k++) {
    const x1 = -1 + random() * W * 0.5, y1 = -1 + random() * H * 0.5;
    boxes.set([x1, y1, x1 + 1.5 + random() * W * 0.7, y1 + 1.5 + random() * H * 0.7], 4 * k);
    boxIndices[k] = k % N;
  }
  const dy = randomValues(random, numBoxes * out * out * C);
  return {x, boxes, boxIndices, dy};
}

/** The float32 bits of a tensor, for exact comparison. */
async function bits(t: tf.Tensor): Promise<Uint32Array> {
  return new Uint32Array((await values(t)).slice().buffer);
}

function expectSameBits(first: Uint32Array, second: Uint32Array, label: string) {
  let differing = 0;
  for (let i = 0; i < first.length; i++) {
    if (first[i] !== second[i]) differing++;
  }
  if (differing > 0 || first.length !== second.length) {
    throw new Error(`${label}: ${differing} of ${first.length} values differ between two identical runs`);
  }
  expect(differing).toBe(0);
}

describeEachBackend('deterministic gradients', () => {
  const cases: Array<{name: string, options: RoIAlignOptions|null}> = [
    {name: 'roiAlign avg, adaptive grid', options: {samplingRatio: 0, mode: 'avg'}},
    {name: 'roiAlign max, aligned, samplingRatio 2', options: {samplingRatio: 2, aligned: true, mode: 'max'}},
    {name: 'roiPool', options: null},
  ];
  cases.forEach(({name, options}, i) => {
    it(`${name}: the same backward twice gives the same bits, and the reference's values`, async () => {
      const {x, boxes, boxIndices, dy} = overlappingCase(10 + i);
      const xt = tf.tensor4d(x, shape as [number, number, number, number]);
      const bt = tf.tensor2d(boxes, [numBoxes, 4]);
      const it = tf.tensor1d(boxIndices, 'int32');
      const dyt = tf.tensor4d(dy, [numBoxes, out, out, shape[3]]);
      const run = (a: tf.Tensor, b: tf.Tensor) => options === null ?
          roiPool(a as tf.Tensor4D, b as tf.Tensor2D, it, out) :
          roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, it, out, options);
      const reference = (input: Partial<RefInput>) => {
        const full = {x, shape, boxes, boxIndices, ...input};
        return options === null ?
            refRoiPool(full, {outH: out, outW: out, spatialScale: 1}) :
            refRoiAlign(full, {
              outH: out, outW: out, spatialScale: 1, samplingRatio: options.samplingRatio ?? 0,
              aligned: options.aligned ?? false, mode: options.mode ?? 'avg'
            });
      };

      const first = tf.grads(run)([xt, bt], dyt);
      const second = tf.grads(run)([xt, bt], dyt);
      expectSameBits(await bits(first[0]), await bits(second[0]), 'dx');
      expectSameBits(await bits(first[1]), await bits(second[1]), 'dboxes');

      const y = run(xt, bt);
      checkClose(await values(y), reference({}), 'y');
      checkClose(await values(first[0]), numericGradient(x, dy, 1e-3, moved => reference({x: moved})), 'dx');
      // roiPool rounds its box corners: their gradient is zero.
      const dboxes = options === null ? new Float64Array(boxes.length) :
                                        numericGradient(boxes, dy, 1e-5, moved => reference({boxes: moved}));
      checkClose(await values(first[1]), dboxes, 'dboxes');
      tf.dispose([xt, bt, it, dyt, y, ...first, ...second]);
    });
  });
});
