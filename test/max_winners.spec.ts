/**
 * roiAlign 'max': the winners kernel (RoIAlignWinners) against the float64
 * reference's argmax, the gradients that read them once per training step,
 * and RoIAlignGrad / RoIAlignBoxGrad called directly without them.
 */
import * as tf from '@tensorflow/tfjs';

import {roiAlign} from '../src/index';
import {RoIAlignAttrs, RoIAlignBoxGrad, RoIAlignGrad, RoIAlignWinners} from '../src/kernel_names';
import {
  checkClose, cpuPathName, cpuWasmChoices, describeEachBackend, randomRoiInputs, randomValues, seededRandom, values,
  withCpuWasm,
} from './harness';
import {numericGradient, RefAlignOptions, refRoiAlign, refRoiAlignWinners} from './reference';

interface WinnersCase extends RefAlignOptions {
  shape: [number, number, number, number];
  numBoxes: number;
  seed: number;
}

// K >= 10, C = 5 (not a multiple of 4), boxes spilling past the map (so
// that some winners lie outside: -1), one box with no image (all -1). The
// seeds are ones whose reference margin (see refRoiAlignWinners) exceeds
// 2e-3: no ties, and no winner that dx's finite differences could flip.
const cases: WinnersCase[] = [
  {shape: [2, 8, 9, 5], numBoxes: 12, outH: 2, outW: 2, spatialScale: 0.5, samplingRatio: 2, aligned: true, mode: 'max', seed: 8},
  {shape: [2, 8, 9, 5], numBoxes: 12, outH: 2, outW: 3, spatialScale: 1, samplingRatio: 0, aligned: false, mode: 'max', seed: 22},
];

function makeCase(c: WinnersCase) {
  const random = seededRandom(c.seed);
  const [N, , , C] = c.shape;
  const side = (random: () => number, imageSide: number) => imageSide * (0.15 + 0.6 * random());
  const {x, boxes, boxIndices} = randomRoiInputs(random, c, side, {start: -0.15, span: 1.3});
  const dy = randomValues(random, c.numBoxes * c.outH * c.outW * C);
  // The margin was measured with every box readable; this one reads nothing.
  const reference = refRoiAlignWinners({x, shape: c.shape, boxes, boxIndices}, c);
  boxIndices[c.numBoxes - 1] = N;
  const inp = {x, shape: c.shape, boxes, boxIndices};
  const ref = (moved: {x?: Float64Array, boxes?: Float64Array}) => refRoiAlign({...inp, ...moved}, c);
  return {
    ...inp, dy, margin: reference.margin,
    winners: refRoiAlignWinners(inp, c).winners,
    y: ref({}),
    dx: numericGradient(x, dy, 1e-4, moved => ref({x: moved})),
    dboxes: numericGradient(boxes, dy, 1e-5, moved => ref({boxes: moved})),
  };
}

// Computed once for every backend: the finite differences are the slow part.
const expected = cases.map(makeCase);

function attrsOf(c: WinnersCase): RoIAlignAttrs {
  return {
    pooledHeight: c.outH, pooledWidth: c.outW, spatialScale: c.spatialScale, samplingRatio: c.samplingRatio,
    aligned: c.aligned, mode: 'max'
  };
}

describeEachBackend('roiAlign max: winners computed once per step', (backend) => {
  for (const wasm of cpuWasmChoices(backend)) {
    cases.forEach((c, i) => {
      const title = `samplingRatio=${c.samplingRatio} aligned=${c.aligned}${cpuPathName(wasm)}`;
      const e = expected[i];
      const tensors = () => ({
        x: tf.tensor4d(e.x, c.shape),
        boxes: tf.tensor2d(e.boxes, [c.numBoxes, 4]),
        boxIndices: tf.tensor1d(e.boxIndices, 'int32'),
        dy: tf.tensor4d(e.dy, [c.numBoxes, c.outH, c.outW, c.shape[3]]),
      });

      it(`RoIAlignWinners is the reference's argmax, ${title}`, () => withCpuWasm(wasm, async () => {
        expect(e.margin).toBeGreaterThan(2e-3);
        expect(e.winners.some(w => w < 0)).toBe(true);
        const {x, boxes, boxIndices, dy} = tensors();
        const winners = tf.engine().runKernel(RoIAlignWinners, {x, boxes, boxIndices}, {...attrsOf(c)}) as tf.Tensor;
        expect(winners.dtype).toBe('int32');
        expect(winners.shape).toEqual([c.numBoxes, c.outH, c.outW, c.shape[3]]);
        // Indices: equal, not close.
        expect(Array.from(await values(winners))).toEqual(Array.from(e.winners));
        // What attrs.mode says does not matter.
        const again = tf.engine().runKernel(RoIAlignWinners, {x, boxes, boxIndices}, {...attrsOf(c), mode: 'avg'}) as
            tf.Tensor;
        expect(Array.from(await values(again))).toEqual(Array.from(e.winners));
        tf.dispose([x, boxes, boxIndices, dy, winners, again]);
      }));

      it(`a training step: dx and dboxes match the reference, one winners pass, no leak, ${title}`,
         () => withCpuWasm(wasm, async () => {
           const {x, boxes, boxIndices, dy} = tensors();
           const run = (a: tf.Tensor, b: tf.Tensor) => roiAlign(
               a as tf.Tensor4D, b as tf.Tensor2D, boxIndices, [c.outH, c.outW],
               {spatialScale: c.spatialScale, samplingRatio: c.samplingRatio, aligned: c.aligned, mode: 'max'});
           const before = tf.memory().numTensors;
           const buffersBefore = tf.engine().backend.numDataIds();
           const [dx, dboxes] = tf.grads(run)([x, boxes], dy);
           // The gradients and nothing else: the winners went with the step.
           expect(tf.memory().numTensors).toBe(before + 2);
           expect(tf.engine().backend.numDataIds()).toBe(buffersBefore + 2);
           checkClose(await values(dx), e.dx, 'dx');
           checkClose(await values(dboxes), e.dboxes, 'dboxes');

           const profile = await tf.profile(() => tf.grads(run)([x, boxes], dy));
           const count = (name: string) => profile.kernels.filter(k => k.name === name).length;
           expect([count(RoIAlignWinners), count(RoIAlignGrad), count(RoIAlignBoxGrad)]).toEqual([1, 1, 1]);
           tf.dispose(profile.result as tf.Tensor[]);
           tf.dispose([x, boxes, boxIndices, dy, dx, dboxes]);
           expect(tf.memory().numTensors).toBe(before - 4);
         }));

      it(`RoIAlignGrad and RoIAlignBoxGrad called directly, with and without winners, ${title}`,
         () => withCpuWasm(wasm, async () => {
           const {x, boxes, boxIndices, dy} = tensors();
           const attrs = {...attrsOf(c)};
           const winners = tf.engine().runKernel(RoIAlignWinners, {x, boxes, boxIndices}, attrs) as tf.Tensor;
           for (const given of [false, true]) {
             const label = given ? 'with winners' : 'without winners';
             const inputs: tf.NamedTensorMap = given ? {dy, x, boxes, boxIndices, winners} : {dy, x, boxes, boxIndices};
             const dx = tf.engine().runKernel(RoIAlignGrad, inputs, attrs) as tf.Tensor;
             const dboxes = tf.engine().runKernel(RoIAlignBoxGrad, inputs, attrs) as tf.Tensor;
             checkClose(await values(dx), e.dx, `dx ${label}`);
             checkClose(await values(dboxes), e.dboxes, `dboxes ${label}`);
             tf.dispose([dx, dboxes]);
           }
           tf.dispose([x, boxes, boxIndices, dy, winners]);
         }));
    });
  }

  // Worked out by hand from the definition (the max runs over the bin's
  // samples in row-major order, starting from the first, outside ones
  // counting as 0, and takes a sample only when strictly greater). The map's
  // rows are [NaN, 1, 5, 2] and [NaN, 0, 0, 0]; the box [-3, 0, 3, 1] has
  // one row sample at y = 0.5 (adaptive grid) and six column samples at
  // x = -2.5, -1.5 (outside), -0.5, 0.5 (both read the NaN), 1.5 (1.5) and
  // 2.5 (1.75). So the outside sample's 0 comes first, the NaNs never win,
  // and sample 5 does. A fixed ratio of 6 gives six row samples, y = 1/12,
  // 3/12, ..., whose values fall with y: the first row's sample 5 wins,
  // 3.5 * 11/12.
  const expectedY: Record<number, number> = {0: 1.75, 6: 3.5 * 11 / 12};
  for (const samplingRatio of [0, 6]) {
    for (const wasm of cpuWasmChoices(backend)) {
      it(`a NaN after an outside sample does not win, samplingRatio=${samplingRatio}${cpuPathName(wasm)}`,
         () => withCpuWasm(wasm, async () => {
           const x = tf.tensor4d([NaN, 1, 5, 2, NaN, 0, 0, 0], [1, 2, 4, 1]);
           const boxes = tf.tensor2d([[-3, 0, 3, 1]]);
           const boxIndices = tf.tensor1d([0], 'int32');
           const attrs: RoIAlignAttrs = {
             pooledHeight: 1, pooledWidth: 1, spatialScale: 1, samplingRatio, aligned: false, mode: 'max'
           };
           const y = roiAlign(x, boxes, boxIndices, 1, {samplingRatio, mode: 'max'});
           const winners = tf.engine().runKernel(RoIAlignWinners, {x, boxes, boxIndices}, {...attrs}) as tf.Tensor;
           checkClose(await values(y), [expectedY[samplingRatio]], 'y');
           expect(Array.from(await values(winners))).toEqual([5]);
           if (samplingRatio === 0) {
             const dx = tf.engine().runKernel(
                            RoIAlignGrad, {dy: tf.ones([1, 1, 1, 1]), x, boxes, boxIndices, winners}, {...attrs}) as
                 tf.Tensor;
             checkClose(await values(dx), [0, 0, 0.25, 0.25, 0, 0, 0.25, 0.25], 'dx');
             dx.dispose();
           }
           tf.dispose([x, boxes, boxIndices, y, winners]);
         }));
    }
  }
});
