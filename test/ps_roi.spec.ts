/**
 * psRoiAlign and psRoiPool (R-FCN): torchvision golden fixtures, random
 * inputs against the float64 reference (test/reference_ps.ts) with
 * finite-difference gradients, layouts, bad input, unreadable boxes, leaks.
 */
import * as tf from '@tensorflow/tfjs';

import {psRoiAlign, psRoiPool} from '../src/index';
import type {GoldenCase} from './fixtures';
import psroialign0 from './fixtures/psroialign_0.json';
import psroialign1 from './fixtures/psroialign_1.json';
import psroialign2 from './fixtures/psroialign_2.json';
import psroipool0 from './fixtures/psroipool_0.json';
import psroipool1 from './fixtures/psroipool_1.json';
import psroipool2 from './fixtures/psroipool_2.json';
import {checkClose, describeEachBackend, expectTensorClose, expectThrowsCleanly, randomValues, seededRandom, values} from './harness';
import {numericGradient} from './reference';
import type {RefInput} from './reference';
import {refPsRoiAlign, refPsRoiPool} from './reference_ps';
import type {RefPsOptions} from './reference_ps';

type PsFixture = GoldenCase<'psRoiAlign'|'psRoiPool', {outputSize: number[], spatialScale: number, samplingRatio?: number}>;

const fixtures = [psroialign0, psroialign1, psroialign2, psroipool0, psroipool1, psroipool2] as PsFixture[];

type PsOp = 'psRoiAlign'|'psRoiPool';

/** The op as a function of (x, boxes) with fixed indices and options. */
function runner(
    op: PsOp, indices: tf.Tensor1D|null, o: RefPsOptions, dataFormat: 'NHWC'|'NCHW' = 'NHWC') {
  const size: [number, number] = [o.outH, o.outW];
  return (x: tf.Tensor, boxes: tf.Tensor) => op === 'psRoiAlign' ?
      psRoiAlign(x as tf.Tensor4D, boxes as tf.Tensor2D, indices, size,
                 {spatialScale: o.spatialScale, samplingRatio: o.samplingRatio ?? 0, dataFormat}) :
      psRoiPool(x as tf.Tensor4D, boxes as tf.Tensor2D, indices, size, {spatialScale: o.spatialScale, dataFormat});
}

const reference = (op: PsOp) => op === 'psRoiAlign' ? refPsRoiAlign : refPsRoiPool;

/** x [N,H,W,C], boxes around the map (some past its edges), dy. */
function randomInputs(seed: number, shape: number[], numBoxes: number, o: RefPsOptions) {
  const random = seededRandom(seed);
  const [N, H, W, C] = shape;
  const imageH = H / o.spatialScale, imageW = W / o.spatialScale;
  // Centre in [-0.1, 1.1) of the image, sides 0.4 to 1.2 of it.
  const around = (extent: number) => {
    const centre = (random() * 1.2 - 0.1) * extent, half = (0.2 + random() * 0.4) * extent;
    return [centre - half, centre + half];
  };
  const corners = Array.from({length: numBoxes}, () => {
    const [x1, x2] = around(imageW), [y1, y2] = around(imageH);
    return [x1, y1, x2, y2];
  });
  return {
    x: randomValues(random, N * H * W * C),
    boxes: Float32Array.from(corners.flat()),
    boxIndices: Int32Array.from(corners, () => Math.floor(random() * N)),
    dy: randomValues(random, numBoxes * C),
  };
}

describeEachBackend('psRoiAlign and psRoiPool', () => {
  describe('golden fixtures', () => {
    for (const f of fixtures) {
      it(`${f.name} (${f.source})`, async () => {
        const x = tf.tensor(f.x.data, f.x.shape), boxes = tf.tensor(f.boxes.data, f.boxes.shape);
        const dy = tf.tensor(f.dy.data, f.dy.shape);
        const indices = tf.tensor1d(f.boxIndices, 'int32');
        const [outH, outW] = f.attrs.outputSize;
        const run = runner(f.op, indices, {outH, outW, ...f.attrs});
        const y = run(x, boxes);
        await expectTensorClose(y, f.y.shape, f.y.data, `${f.name} y`);
        const [dx, dboxes] = tf.grads(run)([x, boxes], dy);
        await expectTensorClose(dx, f.dx.shape, f.dx.data, `${f.name} dx`);
        const expectedBoxGrad = f.dboxes?.data ?? new Array(f.boxes.data.length).fill(0);
        await expectTensorClose(dboxes, f.boxes.shape, expectedBoxGrad, `${f.name} dboxes`);
        tf.dispose([x, boxes, dy, indices, y, dx, dboxes]);
      });
    }
  });

  describe('random inputs against the float64 reference', () => {
    const cases: Array<{op: PsOp, shape: number[], numBoxes: number, o: RefPsOptions, seed: number}> = [
      {op: 'psRoiAlign', shape: [2, 6, 5, 8], numBoxes: 4, o: {outH: 2, outW: 2, spatialScale: 1, samplingRatio: 0}, seed: 21},
      {op: 'psRoiAlign', shape: [1, 7, 6, 6], numBoxes: 3, o: {outH: 3, outW: 1, spatialScale: 0.5, samplingRatio: 2}, seed: 22},
      {op: 'psRoiPool', shape: [2, 7, 6, 12], numBoxes: 4, o: {outH: 2, outW: 3, spatialScale: 0.5}, seed: 23},
    ];
    for (const c of cases) {
      it(`${c.op} ${c.o.outH}x${c.o.outW} scale ${c.o.spatialScale}${c.o.samplingRatio === undefined ? '' : ` samplingRatio ${c.o.samplingRatio}`}`, async () => {
        const {x, boxes, boxIndices, dy} = randomInputs(c.seed, c.shape, c.numBoxes, c.o);
        const ref = (inp: Partial<RefInput>) =>
            reference(c.op)({x, boxes, boxIndices, shape: c.shape, ...inp}, c.o);
        const xt = tf.tensor4d(x, c.shape as [number, number, number, number]);
        const bt = tf.tensor2d(boxes, [c.numBoxes, 4]);
        const it = tf.tensor1d(boxIndices, 'int32');
        const cout = c.shape[3] / (c.o.outH * c.o.outW);
        const dyt = tf.tensor4d(dy, [c.numBoxes, c.o.outH, c.o.outW, cout]);
        const run = runner(c.op, it, c.o);
        const y = run(xt, bt);
        await expectTensorClose(y, [c.numBoxes, c.o.outH, c.o.outW, cout], ref({}), 'y');
        const [dx, dboxes] = tf.grads(run)([xt, bt], dyt);
        checkClose(await values(dx), numericGradient(x, dy, 1e-3, moved => ref({x: moved})), 'dx');
        const boxGrad = c.op === 'psRoiAlign' ?
            numericGradient(boxes, dy, 1e-5, moved => ref({boxes: moved})) :
            new Float64Array(boxes.length);
        checkClose(await values(dboxes), boxGrad, 'dboxes');
        tf.dispose([xt, bt, it, dyt, y, dx, dboxes]);
      });
    }
  });

  describe('layouts and edge cases', () => {
    const N = 2, H = 5, W = 6, C = 8;
    const o: RefPsOptions = {outH: 2, outW: 2, spatialScale: 1, samplingRatio: 2};
    const boxData = [[0.5, 1.2, 4.8, 4.1], [2.2, 0.3, 5.9, 3.7], [-1.1, 2.5, 3.3, 6.4]];
    const indexData = [1, 0, 1];
    let x: tf.Tensor4D, boxes: tf.Tensor2D, indices: tf.Tensor1D, xValues: Float32Array;
    beforeAll(() => {
      xValues = randomValues(seededRandom(31), N * H * W * C);
      x = tf.tensor4d(xValues, [N, H, W, C]);
      boxes = tf.tensor2d(boxData);
      indices = tf.tensor1d(indexData, 'int32');
    });
    afterAll(() => tf.dispose([x, boxes, indices]));

    for (const op of ['psRoiAlign', 'psRoiPool'] as const) {
      it(`${op}: NCHW and [K,5] boxes agree with NHWC, forward and backward`, async () => {
        const dy = tf.tensor4d(randomValues(seededRandom(32), 3 * 2 * 2 * 2), [3, 2, 2, 2]);
        const rois = tf.concat([tf.tensor2d(indexData, [3, 1]), boxes], 1);
        const xNCHW = tf.transpose(x, [0, 3, 1, 2]);
        const [dx, db] = tf.grads(runner(op, indices, o))([x, boxes], dy);
        const y = runner(op, indices, o)(x, boxes);
        await expectTensorClose(
            y, [3, 2, 2, 2], reference(op)({x: xValues, shape: [N, H, W, C], boxes: boxData.flat(), boxIndices: indexData}, o),
            'y');
        const yNCHW = runner(op, null, o, 'NCHW')(xNCHW, rois);
        expect(yNCHW.shape).toEqual([3, 2, 2, 2]);
        checkClose(await values(tf.transpose(yNCHW, [0, 2, 3, 1])), await values(y), 'y NCHW', {atol: 1e-6, rtol: 0});
        const dyNCHW = tf.transpose(dy, [0, 3, 1, 2]);
        const [dxNCHW, drois] = tf.grads(runner(op, null, o, 'NCHW'))([xNCHW, rois], dyNCHW);
        checkClose(await values(tf.transpose(dxNCHW, [0, 2, 3, 1])), await values(dx), 'dx NCHW', {atol: 1e-6, rtol: 0});
        checkClose(await values(tf.slice(drois, [0, 1], [3, 4])), await values(db), 'dboxes [K,5]', {atol: 1e-6, rtol: 0});
        checkClose(await values(tf.slice(drois, [0, 0], [3, 1])), [0, 0, 0], 'batch index column', {atol: 0, rtol: 0});
        tf.dispose([dy, rois, xNCHW, dx, db, y, yNCHW, dyNCHW, dxNCHW, drois]);
      });

      it(`${op}: a box with NaN or Infinity, or a batch index outside [0,N), gives 0 and no gradient`, async () => {
        const good = [0.5, 0.5, 3.5, 2.5];
        const bad = tf.tensor2d([good, [NaN, 0, 2, 2], [0, 0, Infinity, 2], good, good]);
        const badIndices = tf.tensor1d([0, 0, 1, -1, 2], 'int32');
        const run = runner(op, badIndices, o);
        const y = await values(run(x, bad));
        const per = 2 * 2 * 2;
        const first = reference(op)({x: xValues, shape: [N, H, W, C], boxes: good, boxIndices: [0]}, o);
        checkClose(y.slice(0, per), first, 'readable box');
        checkClose(y.slice(per), new Float32Array(4 * per), 'unreadable boxes', {atol: 0, rtol: 0});
        const [dx, dboxes] = tf.grads(run)([x, bad], tf.ones([5, 2, 2, 2]));
        checkClose((await values(dboxes)).slice(4), new Float32Array(16), 'dboxes of unreadable boxes', {atol: 0, rtol: 0});
        checkClose((await values(dx)).slice(H * W * C), new Float32Array(H * W * C), 'dx of image 1', {atol: 0, rtol: 0});
        tf.dispose([bad, badIndices, dx, dboxes]);
      });
    }

    it('psRoiAlign: a box of zero width or height gives 0 (torchvision: 0 / 0 = NaN)', async () => {
      const flat = tf.tensor2d([[1, 1, 1, 4], [0.5, 2, 4, 2]]);
      const flatIndices = tf.tensor1d([0, 1], 'int32');
      const y = psRoiAlign(x, flat, flatIndices, 2);
      await expectTensorClose(y, [2, 2, 2, 2], new Float32Array(16), 'y', {atol: 0, rtol: 0});
      tf.dispose([flat, flatIndices, y]);
    });

    it('psRoiPool never reads the last row and column (torchvision\'s forward clipping)', async () => {
      // A box over the whole map: its bins stop one pixel short of the far edges.
      const whole = tf.tensor2d([[0, 0, W, H]]);
      const wholeIndex = tf.tensor1d([0], 'int32');
      const ones = tf.ones([1, H, W, C]) as tf.Tensor4D;
      const edges = tf.tidy(() => {
        const row = tf.concat([tf.zeros([1, H - 1, W, C]), tf.fill([1, 1, W, C], 100)], 1);
        const col = tf.concat([tf.zeros([1, H, W - 1, C]), tf.fill([1, H, 1, C], 100)], 2);
        return tf.add(ones, tf.add(row, col)) as tf.Tensor4D;
      });
      const y = psRoiPool(edges, whole, wholeIndex, 2);
      await expectTensorClose(y, [1, 2, 2, 2], new Array(8).fill(1), 'y', {atol: 0, rtol: 0});
      const dx = tf.grad((a: tf.Tensor) => psRoiPool(a as tf.Tensor4D, whole, wholeIndex, 2))(ones);
      const dxValues = await values(dx);
      let edgeSum = 0;
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          if (h === H - 1 || w === W - 1) for (let c = 0; c < C; c++) edgeSum += Math.abs(dxValues[(h * W + w) * C + c]);
        }
      }
      expect(edgeSum).toBe(0);
      tf.dispose([whole, wholeIndex, ones, edges, y, dx]);
    });

    it('throws a clear Error naming the argument, and leaks nothing', () => {
      const cases: Array<[() => unknown, RegExp]> = [
        [() => psRoiAlign(x, boxes, indices, 3), /psRoiAlign: x must have a multiple of outH \* outW = 3 \* 3 = 9 channels.*got 8/],
        [() => psRoiPool(x, boxes, indices, [3, 1]), /psRoiPool: x must have a multiple of outH \* outW = 3 \* 1 = 3 channels.*got 8/],
        [() => psRoiAlign(tf.zeros([1, 8, 4, 4]) as tf.Tensor4D, boxes, indices, 3, {dataFormat: 'NCHW'}), /psRoiAlign: x must have a multiple.*got 8/],
        [() => psRoiAlign(x, boxes, indices, 2, {aligned: true} as never), /psRoiAlign: unknown option 'aligned'/],
        [() => psRoiPool(x, boxes, indices, 2, {samplingRatio: 2} as never), /psRoiPool: unknown option 'samplingRatio'/],
        [() => psRoiAlign(x, boxes, indices, 2, {samplingRatio: 0.5}), /psRoiAlign: samplingRatio must be an integer/],
        [() => psRoiAlign(x, boxes, indices, 0), /psRoiAlign: outputSize must be a positive integer/],
        [() => psRoiPool(x, boxes, indices, 2, {spatialScale: -1}), /psRoiPool: spatialScale must be a finite number > 0/],
        [() => psRoiPool(tf.zeros([5, 6, 8]) as never, boxes, indices, 2), /psRoiPool: x must be 4-D/],
        [() => psRoiAlign(x, tf.zeros([3, 3]) as tf.Tensor2D, indices, 2), /psRoiAlign: boxes must be \[K,4\]/],
        [() => psRoiPool(x, boxes, tf.tensor1d([0, 1], 'int32'), 2), /psRoiPool: boxIndices must be \[K\] = \[3\]/],
      ];
      for (const [fn, pattern] of cases) expectThrowsCleanly(fn, pattern);
    });

    it('leaks no tensor: forward and backward of both ops', async () => {
      const rois = tf.tensor2d([[0, 0.5, 0.5, 3.5, 2.5], [1, 1, 1, 4, 3]]);
      const xNCHW = tf.transpose(x, [0, 3, 1, 2]);
      const noBoxes = tf.zeros([0, 4]) as tf.Tensor2D, noIndices = tf.zeros([0], 'int32') as tf.Tensor1D;
      const before = tf.memory().numTensors;
      const grads = [
        tf.grads(runner('psRoiAlign', indices, o))([x, boxes]),
        tf.grads(runner('psRoiAlign', null, o, 'NCHW'))([xNCHW, rois]),
        tf.grads(runner('psRoiPool', indices, o))([x, boxes]),
        tf.grads(runner('psRoiPool', noIndices, o))([x, noBoxes]),
      ];
      for (const g of grads) await Promise.all(g.map(t => t.data()));
      const none = psRoiPool(x, noBoxes, noIndices, 2);
      expect(none.shape).toEqual([0, 2, 2, 2]);
      tf.dispose([...grads.flat(), none]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([rois, xNCHW, noBoxes, noIndices]);
    });
  });
});
