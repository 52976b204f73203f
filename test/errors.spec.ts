/** Bad input throws before any kernel runs; unreadable boxes give 0; nothing leaks. */
import * as tf from '@tensorflow/tfjs';

import {multiScaleRoiAlign, psRoiAlign, roiAlign, roiAlignRotated, roiPool} from '../src/index';
import {MAX_SAMPLES_PER_BIN_AXIS} from '../src/limits';
import {checkClose, describeEachBackend, expectThrowsCleanly, randomValues, seededRandom, values} from './harness';
import {refRoiAlign} from './reference';

const N = 2, H = 4, W = 5, C = 2;

/** A tensor that has been disposed. */
function disposed(shape: number[], dtype: 'float32'|'int32' = 'float32'): tf.Tensor {
  const t = tf.zeros(shape, dtype);
  t.dispose();
  return t;
}

function capError(op: string, value: number): RegExp {
  return new RegExp(`${op}: samplingRatio must be at most ${MAX_SAMPLES_PER_BIN_AXIS} samples per bin and axis \\(MAX_SAMPLES_PER_BIN_AXIS\\), got ${value}$`);
}

describeEachBackend('bad input and edge cases', () => {
  let x: tf.Tensor4D, boxes: tf.Tensor2D, indices: tf.Tensor1D;
  beforeAll(() => {
    x = tf.tensor4d(randomValues(seededRandom(11), N * H * W * C), [N, H, W, C]);
    boxes = tf.tensor2d([[0.5, 0.5, 3.5, 2.5], [1, 1, 4, 3]]);
    indices = tf.tensor1d([0, 1], 'int32');
  });
  afterAll(() => tf.dispose([x, boxes, indices]));

  describe('throws a clear Error naming the argument', () => {
    // Arguments are made inside the test, on its backend; tf.tidy disposes them.
    type Args = {x?: unknown, boxes?: unknown, boxIndices?: unknown, outputSize?: unknown, options?: unknown};
    const align = (makeArgs: () => Args) => () => {
      const args = {x, boxes, boxIndices: indices as unknown, outputSize: 2 as unknown, options: {} as unknown, ...makeArgs()};
      // tslint:disable-next-line:no-any
      return roiAlign(args.x as any, args.boxes as any, args.boxIndices as any, args.outputSize as any, args.options as any);
    };
    const pool = (makeArgs: () => Args) => () =>
        roiPool((makeArgs().x ?? x) as tf.Tensor4D, boxes, indices, 2);
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['x not 4-D', align(() => ({x: tf.zeros([4, 5, 2])})), /roiAlign: x must be 4-D.*\[4,5,2\]/],
      ['x not float', align(() => ({x: tf.zeros([1, 4, 5, 2], 'int32')})), /roiAlign: x must be float32, got int32/],
      ['boxes not [K,4] or [K,5]', align(() => ({boxes: tf.zeros([2, 3])})), /roiAlign: boxes must be \[K,4\].*\[2,3\]/],
      ['boxes 1-D', align(() => ({boxes: tf.zeros([4])})), /roiAlign: boxes must be \[K,4\]/],
      ['boxIndices length not K', align(() => ({boxIndices: tf.tensor1d([0], 'int32')})), /roiAlign: boxIndices must be \[K\] = \[2\].*\[1\]/],
      ['boxIndices missing with [K,4]', align(() => ({boxIndices: null})), /roiAlign: boxIndices is required/],
      ['boxIndices with [K,5]', align(() => ({boxes: tf.zeros([2, 5])})), /roiAlign: boxIndices must be null when boxes are \[K,5\]/],
      ['boxIndices float', align(() => ({boxIndices: tf.tensor1d([0, 1])})), /roiAlign: boxIndices must be int32, got float32/],
      ['outputSize zero', align(() => ({outputSize: 0})), /roiAlign: outputSize must be a positive integer/],
      ['outputSize fractional', align(() => ({outputSize: [2, 1.5]})), /roiAlign: outputSize/],
      ['outputSize of three', align(() => ({outputSize: [2, 2, 2]})), /roiAlign: outputSize/],
      ['samplingRatio not an integer', align(() => ({options: {samplingRatio: 1.5}})), /roiAlign: samplingRatio must be an integer/],
      ['spatialScale zero', align(() => ({options: {spatialScale: 0}})), /roiAlign: spatialScale must be a finite number > 0/],
      ['spatialScale NaN', align(() => ({options: {spatialScale: NaN}})), /roiAlign: spatialScale/],
      ['spatialScale Infinity', align(() => ({options: {spatialScale: Infinity}})), /roiAlign: spatialScale/],
      ['unknown mode', align(() => ({options: {mode: 'sum'}})), /roiAlign: mode must be 'avg' or 'max', got "sum"/],
      ['unknown dataFormat', align(() => ({options: {dataFormat: 'NWHC'}})), /roiAlign: dataFormat must be 'NHWC' or 'NCHW'/],
      ['aligned not boolean', align(() => ({options: {aligned: 1}})), /roiAlign: aligned must be a boolean/],
      ['unknown option', align(() => ({options: {sampling_ratio: 2}})), /roiAlign: unknown option 'sampling_ratio'/],
      ['roiPool x not 4-D', pool(() => ({x: tf.zeros([4, 5, 2])})), /roiPool: x must be 4-D/],
      ['roiPool with a roiAlign option', () => roiPool(x, boxes, indices, 2, {aligned: true} as never), /roiPool: unknown option 'aligned'/],
      // Plain-array batch indices are checked before tfjs converts them (it would truncate or wrap them).
      ...([[0.5, 0], [2 ** 32, 0], [NaN, 0], [-0.5, 0], [0, 1.7]] as number[][]).map(
          (bad): [string, () => unknown, RegExp] => [`plain boxIndices ${JSON.stringify(bad.map(String))}`,
            align(() => ({boxIndices: bad})), /roiAlign: boxIndices must hold integers in int32 range, got .* at index/]),
      ['boxIndices a string', align(() => ({boxIndices: '01'})), /roiAlign: boxIndices must be a Tensor or a nested array of numbers, got string "01"/],
      ['boxIndices with a string inside', align(() => ({boxIndices: [0, '1']})), /roiAlign: boxIndices must be .*got "1" at boxIndices\[1\]/],
      ['x ragged', align(() => ({x: [[[[1], [2]], [[3]]]]})), /roiAlign: x must be .*ragged: x\[0\]\[1\] has 1 elements where x\[0\]\[0\] has 2/],
      ['boxes ragged', align(() => ({boxes: [[0, 0, 1, 1], [0, 0, 1]]})), /roiAlign: boxes must be .*ragged: boxes\[1\] has 3 elements/],
      ['x disposed', align(() => ({x: disposed([1, 4, 5, 2])})), /roiAlign: x is a disposed tensor/],
      ['boxes disposed', align(() => ({boxes: disposed([2, 4])})), /roiAlign: boxes is a disposed tensor/],
      ['boxIndices disposed', align(() => ({boxIndices: disposed([2], 'int32')})), /roiAlign: boxIndices is a disposed tensor/],
      // Values print with their type: the string '0.25' is not the number 0.25.
      ['spatialScale a string', align(() => ({options: {spatialScale: '0.25'}})), /roiAlign: spatialScale must be a finite number > 0, got "0.25"/],
      ['aligned a string', align(() => ({options: {aligned: 'true'}})), /roiAlign: aligned must be a boolean, got "true"/],
      ['outputSize with NaN', align(() => ({outputSize: [NaN, 2]})), /roiAlign: outputSize must be a positive integer or \[outH, outW\] of positive integers, got \[NaN,2\]$/],
      ['samplingRatio a string', align(() => ({options: {samplingRatio: '2'}})), /roiAlign: samplingRatio must be an integer .*got "2"/],
      // The cap on samples per bin (src/limits.ts), for every RoIAlign-family op.
      ['roiAlign samplingRatio over the cap', align(() => ({options: {samplingRatio: MAX_SAMPLES_PER_BIN_AXIS + 1}})), capError('roiAlign', MAX_SAMPLES_PER_BIN_AXIS + 1)],
      ['roiAlign max samplingRatio 10000', align(() => ({options: {samplingRatio: 10000, mode: 'max'}})), capError('roiAlign', 10000)],
      ['roiAlign samplingRatio 2^31 - 1', align(() => ({options: {samplingRatio: 2 ** 31 - 1}})), capError('roiAlign', 2 ** 31 - 1)],
      ['psRoiAlign samplingRatio over the cap', () => psRoiAlign(tf.zeros([1, 4, 5, 4]) as tf.Tensor4D, boxes, indices, 2, {samplingRatio: 10000}), capError('psRoiAlign', 10000)],
      ['roiAlignRotated samplingRatio over the cap', () => roiAlignRotated(x, tf.zeros([2, 5]) as tf.Tensor2D, indices, 2, {samplingRatio: 10000}), capError('roiAlignRotated', 10000)],
      ['multiScaleRoiAlign samplingRatio over the cap', () => multiScaleRoiAlign([x], boxes, indices, 2, {imageSize: [4, 5], samplingRatio: 10000}), capError('multiScaleRoiAlign', 10000)],
      // Results no backend can hold are refused before anything is allocated.
      ['outputSize 2^31', align(() => ({outputSize: 2 ** 31})), /roiAlign: outputSize 2147483648 has .* bins per box, more than 2147483647/],
      ['outputSize whose result is over 2^31 - 1 elements', align(() => ({outputSize: [32768, 32768]})), /roiAlign: outputSize: the result \[K,outH,outW,C\] = \[2,32768,32768,2\] would have 4294967296 elements, more than/],
      ['roiPool outputSize over the limit', () => roiPool(x, boxes, indices, [32768, 32768]), /roiPool: outputSize: the result/],
      // K = Cout = 46341: small inputs, but a result of 46341^2 > 2^31 - 1 elements.
      ['psRoiAlign outputSize over the limit', () => psRoiAlign(tf.zeros([1, 1, 1, 46341]) as tf.Tensor4D, tf.zeros([46341, 4]) as tf.Tensor2D, tf.zeros([46341], 'int32'), 1), /psRoiAlign: outputSize: the result \[K,outH,outW,Cout\] = \[46341,1,1,46341\]/],
      ['roiAlignRotated outputSize over the limit', () => roiAlignRotated(x, tf.zeros([2, 5]) as tf.Tensor2D, indices, [32768, 32768]), /roiAlignRotated: outputSize: the result/],
      ['multiScaleRoiAlign outputSize over the limit', () => multiScaleRoiAlign([x], boxes, indices, [32768, 32768], {imageSize: [4, 5]}), /multiScaleRoiAlign: outputSize: the result/],
    ];
    for (const [name, fn, pattern] of cases) {
      it(name, () => expectThrowsCleanly(fn, pattern));
    }
  });

  it('K = 0 as plain [] boxes and [] indices (or [] boxes alone, as [0,5]) gives the empty result', () => {
    const before = tf.memory().numTensors;
    for (const y of [roiAlign(x, [], [], [3, 2]), roiAlign(x, [], null, [3, 2]), roiPool(x, [], [], [3, 2])]) {
      expect(y.shape).toEqual([0, 3, 2, C]);
      y.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a box with NaN or Infinity, or a batch index outside [0,N), gives 0 and no gradient; other boxes are untouched', async () => {
    const good = [0.5, 0.5, 3.5, 2.5];
    const bad = tf.tensor2d([good, [NaN, 0, 2, 2], [0, 0, Infinity, 2], good, good, [1, -Infinity, 2, 2]]);
    const badIndices = tf.tensor1d([0, 0, 1, -1, 2, 1], 'int32');
    const xValues = Array.from(await values(x));
    for (const mode of ['avg', 'max'] as const) {
      const run = (a: tf.Tensor, b: tf.Tensor) =>
          roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, badIndices, 2, {mode, samplingRatio: 2});
      const y = await values(run(x, bad));
      const per = 2 * 2 * C;
      const first = refRoiAlign(
          {x: xValues, shape: [N, H, W, C], boxes: good, boxIndices: [0]},
          {outH: 2, outW: 2, spatialScale: 1, samplingRatio: 2, aligned: false, mode});
      checkClose(y.slice(0, per), first, `${mode}: readable box`);
      checkClose(y.slice(per), new Float32Array(5 * per), `${mode}: unreadable boxes`, {atol: 0, rtol: 0});
      const [dx, dboxes] = tf.grads(run)([x, bad], tf.ones([6, 2, 2, C]));
      const dboxValues = await values(dboxes);
      checkClose(dboxValues.slice(4), new Float32Array(20), `${mode}: dboxes of unreadable boxes`, {atol: 0, rtol: 0});
      // Only box 0, in image 0, sends gradient to x.
      checkClose((await values(dx)).slice(H * W * C), new Float32Array(H * W * C), `${mode}: dx of image 1`, {atol: 0, rtol: 0});
    }
    const pooled = await values(roiPool(x, bad, badIndices, 2));
    checkClose(pooled.slice(2 * 2 * C), new Float32Array(5 * 2 * 2 * C), 'roiPool: unreadable boxes', {atol: 0, rtol: 0});
  });

  it('no boxes gives an empty result and a zero gradient', async () => {
    const none = tf.zeros([0, 4]) as tf.Tensor2D;
    const noIndices = tf.zeros([0], 'int32') as tf.Tensor1D;
    for (const op of [
      (a: tf.Tensor) => roiAlign(a as tf.Tensor4D, none, noIndices, [3, 2]),
      (a: tf.Tensor) => roiPool(a as tf.Tensor4D, none, noIndices, [3, 2]),
    ]) {
      const y = op(x);
      expect(y.shape).toEqual([0, 3, 2, C]);
      const dx = tf.grad(op)(x, tf.zeros([0, 3, 2, C]));
      checkClose(await values(dx), new Float32Array(N * H * W * C), 'dx', {atol: 0, rtol: 0});
    }
  });

  it('leaks no tensor: forward and backward, both layouts and box forms', async () => {
    const rois = tf.tensor2d([[0, 0.5, 0.5, 3.5, 2.5], [1, 1, 1, 4, 3]]);
    const before = tf.memory().numTensors;
    const grads = [
      tf.grads((a: tf.Tensor, b: tf.Tensor) => roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, indices, 2))([x, boxes]),
      tf.grads((a: tf.Tensor, b: tf.Tensor) => roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, null, 2, {mode: 'max', dataFormat: 'NCHW'}))([x, rois]),
      tf.grads((a: tf.Tensor, b: tf.Tensor) => roiPool(a as tf.Tensor4D, b as tf.Tensor2D, null, [2, 3]))([x, rois]),
    ];
    for (const g of grads) await Promise.all(g.map(t => t.data()));
    const y = roiAlign([[[[1]]]], [[0, 0, 1, 1]], [0], 1);
    await y.data();
    tf.dispose([...grads.flat(), y]);
    expect(tf.memory().numTensors).toBe(before);
    rois.dispose();
  });
});
