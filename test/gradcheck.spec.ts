/**
 * Random inputs against the float64 reference (test/reference.ts): forward
 * values, and gradients against central differences of that reference.
 */
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiPool} from '../src/index';
import {
  checkClose, cpuPathName, cpuWasmChoices, describeEachBackend, expectTensorClose, randomRoiInputs, randomValues,
  seededRandom, values, withCpuWasm,
} from './harness';
import {numericGradient, refRoiAlign, RefAlignOptions, RefInput, refRoiPool} from './reference';

interface RandomCase {
  shape: number[];
  numBoxes: number;
  outH: number;
  outW: number;
  spatialScale: number;
  seed: number;
}

/** Boxes of varied size, some spilling past the image, a few under a pixel. */
function randomCase(c: RandomCase) {
  const random = seededRandom(c.seed);
  // Sides log-uniform from half a pixel to 2.2x the image.
  const side = (random: () => number, imageSide: number) =>
      Math.exp(Math.log(0.5) + random() * Math.log(imageSide * 2.2));
  const inputs = randomRoiInputs(random, c, side, {start: -0.2, span: 1.4});
  const dy = randomValues(random, c.numBoxes * c.outH * c.outW * c.shape[3]);
  return {...inputs, dy};
}

const alignCases: Array<RandomCase&Omit<RefAlignOptions, 'outH'|'outW'|'spatialScale'>> = [
  // C = 6: the cpu kernel's SIMD loop takes channels 0-3, and JavaScript the rest.
  {shape: [2, 6, 7, 6], numBoxes: 5, outH: 2, outW: 3, spatialScale: 1, seed: 1, samplingRatio: 0, aligned: false, mode: 'avg'},
  {shape: [1, 7, 5, 2], numBoxes: 4, outH: 3, outW: 2, spatialScale: 0.5, seed: 2, samplingRatio: 2, aligned: true, mode: 'avg'},
  {shape: [2, 5, 6, 2], numBoxes: 4, outH: 2, outW: 2, spatialScale: 0.25, seed: 3, samplingRatio: 0, aligned: true, mode: 'max'},
  {shape: [1, 6, 6, 3], numBoxes: 3, outH: 3, outW: 3, spatialScale: 1, seed: 4, samplingRatio: 1, aligned: false, mode: 'max'},
  // C = 8: webgpu's 'avg' forward computes four channels per invocation.
  {shape: [2, 5, 6, 8], numBoxes: 3, outH: 2, outW: 2, spatialScale: 0.5, seed: 6, samplingRatio: 3, aligned: true, mode: 'avg'},
];

describeEachBackend('random inputs against the float64 reference', (backend) => {
  for (const wasm of cpuWasmChoices(backend)) {
    for (const c of alignCases) {
      const title = `roiAlign ${c.mode} aligned=${c.aligned} samplingRatio=${c.samplingRatio} scale=${c.spatialScale}`;
      it(title + cpuPathName(wasm), () => withCpuWasm(wasm, async () => {
        const {x, boxes, boxIndices, dy} = randomCase(c);
        const options = {
          outH: c.outH, outW: c.outW, spatialScale: c.spatialScale,
          samplingRatio: c.samplingRatio, aligned: c.aligned, mode: c.mode
        };
        const ref = (inp: Partial<RefInput>) =>
            refRoiAlign({x, boxes, boxIndices, shape: c.shape, ...inp}, options);
        const xt = tf.tensor4d(x, c.shape as [number, number, number, number]);
        const bt = tf.tensor2d(boxes, [c.numBoxes, 4]);
        const it = tf.tensor1d(boxIndices, 'int32');
        const dyt = tf.tensor4d(dy, [c.numBoxes, c.outH, c.outW, c.shape[3]]);
        const run = (a: tf.Tensor, b: tf.Tensor) => roiAlign(
            a as tf.Tensor4D, b as tf.Tensor2D, it, [c.outH, c.outW],
            {spatialScale: c.spatialScale, samplingRatio: c.samplingRatio, aligned: c.aligned, mode: c.mode});

        const y = run(xt, bt);
        await expectTensorClose(y, [c.numBoxes, c.outH, c.outW, c.shape[3]], ref({}), 'y');
        const [dx, dboxes] = tf.grads(run)([xt, bt], dyt);
        checkClose(await values(dx), numericGradient(x, dy, 1e-3, moved => ref({x: moved})), 'dx');
        checkClose(await values(dboxes), numericGradient(boxes, dy, 1e-5, moved => ref({boxes: moved})), 'dboxes');
        tf.dispose([xt, bt, it, dyt, y, dx, dboxes]);
      }));
    }

    it('roiPool' + cpuPathName(wasm), () => withCpuWasm(wasm, async () => {
      const c = {shape: [2, 7, 6, 6], numBoxes: 5, outH: 3, outW: 2, spatialScale: 0.5, seed: 5};
      const {x, boxes, boxIndices, dy} = randomCase(c);
      const options = {outH: c.outH, outW: c.outW, spatialScale: c.spatialScale};
      const xt = tf.tensor4d(x, c.shape as [number, number, number, number]);
      const bt = tf.tensor2d(boxes, [c.numBoxes, 4]);
      const it = tf.tensor1d(boxIndices, 'int32');
      const dyt = tf.tensor4d(dy, [c.numBoxes, c.outH, c.outW, c.shape[3]]);
      const run = (a: tf.Tensor, b: tf.Tensor) => roiPool(
          a as tf.Tensor4D, b as tf.Tensor2D, it, [c.outH, c.outW], {spatialScale: c.spatialScale});

      const y = run(xt, bt);
      await expectTensorClose(
          y, [c.numBoxes, c.outH, c.outW, c.shape[3]],
          refRoiPool({x, boxes, boxIndices, shape: c.shape}, options), 'y');
      const [dx, dboxes] = tf.grads(run)([xt, bt], dyt);
      const numeric = numericGradient(
          x, dy, 1e-3, moved => refRoiPool({x: moved, boxes, boxIndices, shape: c.shape}, options));
      checkClose(await values(dx), numeric, 'dx');
      checkClose(await values(dboxes), new Float32Array(boxes.length), 'dboxes (rounded corners: zero)');
      tf.dispose([xt, bt, it, dyt, y, dx, dboxes]);
    }));
  }
});
