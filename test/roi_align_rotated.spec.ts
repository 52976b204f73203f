/**
 * roiAlignRotated: detectron2 golden fixtures, random inputs against the
 * float64 reference (test/reference_rotated.ts) with finite-difference
 * gradients, the identities with roiAlign, options, bad input and leaks.
 */
import * as tf from '@tensorflow/tfjs';

import {roiAlign, roiAlignRotated} from '../src/index';
import type {RoIAlignRotatedOptions} from '../src/index';
import rotated0 from './fixtures/roialignrotated_0.json';
import rotated1 from './fixtures/roialignrotated_1.json';
import rotated2 from './fixtures/roialignrotated_2.json';
import rotated3 from './fixtures/roialignrotated_3.json';
import rotated4 from './fixtures/roialignrotated_4.json';
import rotated5 from './fixtures/roialignrotated_5.json';
import type {Fixture, FixtureTensor} from './fixtures';
import {checkClose, describeEachBackend, expectTensorClose, expectThrowsCleanly, randomValues, seededRandom, values} from './harness';
import {numericGradient} from './reference';
import {refRoiAlignRotated, RefRotatedInput, RefRotatedOptions} from './reference_rotated';

type RotatedFixture = Omit<Fixture, 'op'|'attrs'|'dboxes'>&{
  attrs: {
    outputSize: number[],
    spatialScale: number,
    samplingRatio: number,
    angleUnit: 'degrees'|'radians',
    clockwise: boolean,
  },
  dboxes: FixtureTensor,
};

const fixtures = [rotated0, rotated1, rotated2, rotated3, rotated4, rotated5] as RotatedFixture[];

const tensorOf = (t: FixtureTensor) => tf.tensor(t.data, t.shape, 'float32');

/** (x, boxes) => roiAlignRotated with fixed indices, size and options. */
function rotatedOp(indices: tf.Tensor|null, size: number|[number, number], options: RoIAlignRotatedOptions) {
  return (x: tf.Tensor, boxes: tf.Tensor) =>
      roiAlignRotated(x as tf.Tensor4D, boxes as tf.Tensor2D, indices, size, options);
}

/** Rotated boxes around the map, some spilling past it, a few under a pixel. */
function randomCase(shape: number[], numBoxes: number, outH: number, outW: number, scale: number, seed: number) {
  const random = seededRandom(seed);
  const [N, H, W, C] = shape;
  const x = randomValues(random, N * H * W * C);
  const boxes = new Float32Array(5 * numBoxes);
  const boxIndices = new Int32Array(numBoxes);
  const imageH = H / scale, imageW = W / scale;
  for (let k = 0; k < numBoxes; k++) {
    boxes.set([
      -0.1 * imageW + 1.2 * imageW * random(), -0.1 * imageH + 1.2 * imageH * random(),
      Math.exp(Math.log(0.5) + random() * Math.log(imageW * 1.6)),
      Math.exp(Math.log(0.5) + random() * Math.log(imageH * 1.6)), 360 * random() - 180
    ], 5 * k);
    boxIndices[k] = Math.floor(random() * N);
  }
  return {x, boxes, boxIndices, dy: randomValues(random, numBoxes * outH * outW * C)};
}

describeEachBackend('roiAlignRotated', backend => {
  describe('golden fixtures (float64 reference of detectron2)', () => {
    for (const f of fixtures) {
      it(`${f.name}: ${f.attrs.angleUnit}${f.attrs.clockwise ? ', clockwise' : ''}`, async () => {
        const x = tensorOf(f.x), boxes = tensorOf(f.boxes), dy = tensorOf(f.dy);
        const indices = tf.tensor1d(f.boxIndices, 'int32');
        const {outputSize, spatialScale, samplingRatio, angleUnit, clockwise} = f.attrs;
        const run = rotatedOp(
            indices, outputSize as [number, number], {spatialScale, samplingRatio, angleUnit, clockwise});
        const y = run(x, boxes);
        await expectTensorClose(y, f.y.shape, f.y.data, `${f.name} y`);
        const [dx, dboxes] = tf.grads(run)([x, boxes], dy);
        await expectTensorClose(dx, f.dx.shape, f.dx.data, `${f.name} dx`);
        await expectTensorClose(dboxes, f.dboxes.shape, f.dboxes.data, `${f.name} dboxes`);
        tf.dispose([x, boxes, dy, indices, y, dx, dboxes]);
      });
    }
  });

  const randomCases = [
    {shape: [2, 6, 7, 2], numBoxes: 4, outH: 2, outW: 3, spatialScale: 1, samplingRatio: 2, angleUnit: 'degrees', clockwise: false, seed: 21},
    {shape: [1, 7, 6, 2], numBoxes: 3, outH: 2, outW: 2, spatialScale: 0.5, samplingRatio: 0, angleUnit: 'degrees', clockwise: true, seed: 22},
    {shape: [2, 5, 6, 1], numBoxes: 3, outH: 3, outW: 2, spatialScale: 1, samplingRatio: 1, angleUnit: 'radians', clockwise: false, seed: 23},
  ] as const;
  for (const c of randomCases) {
    it(`random inputs against the float64 reference, finite-difference gradients (${c.angleUnit}, clockwise=${
           c.clockwise}, samplingRatio=${c.samplingRatio})`,
       async () => {
         const {x, boxes, boxIndices, dy} = randomCase([...c.shape], c.numBoxes, c.outH, c.outW, c.spatialScale, c.seed);
         if (c.angleUnit === 'radians') {
           for (let k = 0; k < c.numBoxes; k++) boxes[5 * k + 4] *= Math.PI / 180;
         }
         const options: RefRotatedOptions = {
           outH: c.outH, outW: c.outW, spatialScale: c.spatialScale, samplingRatio: c.samplingRatio,
           angleUnit: c.angleUnit, clockwise: c.clockwise
         };
         const ref = (inp: Partial<RefRotatedInput>) =>
             refRoiAlignRotated({x, boxes, boxIndices, shape: [...c.shape], ...inp}, options);
         const xt = tf.tensor4d(x, [...c.shape] as [number, number, number, number]);
         const bt = tf.tensor2d(boxes, [c.numBoxes, 5]);
         const it = tf.tensor1d(boxIndices, 'int32');
         const dyt = tf.tensor4d(dy, [c.numBoxes, c.outH, c.outW, c.shape[3]]);
         const run = rotatedOp(it, [c.outH, c.outW], {
           spatialScale: c.spatialScale, samplingRatio: c.samplingRatio, angleUnit: c.angleUnit,
           clockwise: c.clockwise
         });
         const y = run(xt, bt);
         await expectTensorClose(y, [c.numBoxes, c.outH, c.outW, c.shape[3]], ref({}), 'y');
         const [dx, dboxes] = tf.grads(run)([xt, bt], dyt);
         checkClose(await values(dx), numericGradient(x, dy, 1e-3, moved => ref({x: moved})), 'dx');
         checkClose(
             await values(dboxes), numericGradient(boxes, dy, 1e-5, moved => ref({boxes: moved})), 'dboxes',
             {atol: 2e-4, rtol: 1e-3});
         tf.dispose([xt, bt, it, dyt, y, dx, dboxes]);
       });
  }

  // An odd output width and an odd C: webgl's packed y has blocks missing their second bin or
  // channel. A NaN box and a batch index past N read nothing.
  const manyBoxCases = [
    {samplingRatio: 2, spatialScale: 1, angleUnit: 'degrees', clockwise: false, seed: 24},
    {samplingRatio: 0, spatialScale: 0.5, angleUnit: 'radians', clockwise: true, seed: 25},
  ] as const;
  for (const c of manyBoxCases) {
    it(`120 boxes, outW 5, C 45: y against the float64 reference (samplingRatio=${c.samplingRatio}, ${
           c.angleUnit}, clockwise=${c.clockwise})`,
       async () => {
         const shape = [2, 12, 15, 45], numBoxes = 120, outH = 3, outW = 5;
         const {x, boxes, boxIndices} = randomCase(shape, numBoxes, outH, outW, c.spatialScale, c.seed);
         if (c.angleUnit === 'radians') {
           for (let k = 0; k < numBoxes; k++) boxes[5 * k + 4] *= Math.PI / 180;
         }
         boxes[5 * 7] = NaN;
         boxIndices[11] = shape[0];
         const xt = tf.tensor4d(x, shape as [number, number, number, number]);
         const bt = tf.tensor2d(boxes, [numBoxes, 5]);
         const it = tf.tensor1d(boxIndices, 'int32');
         const {samplingRatio, spatialScale, angleUnit, clockwise} = c;
         const y = roiAlignRotated(xt, bt, it, [outH, outW], {samplingRatio, spatialScale, angleUnit, clockwise});
         const expected = refRoiAlignRotated(
             {x, shape, boxes, boxIndices}, {outH, outW, samplingRatio, spatialScale, angleUnit, clockwise});
         await expectTensorClose(y, [numBoxes, outH, outW, shape[3]], expected, 'y');
         // Ops that read y as it is (on webgl packed, with half-empty texels that they must not see).
         const perBin = tf.sum(y, 3), shifted = tf.add(y, 1);
         const binSums = new Float64Array(numBoxes * outH * outW);
         binSums.forEach((_, i) => {
           for (let ch = 0; ch < shape[3]; ch++) binSums[i] += expected[i * shape[3] + ch];
         });
         checkClose(await values(perBin), binSums, 'y summed over channels');
         checkClose(await values(shifted), expected.map(v => v + 1), 'y plus 1', {atol: 1e-5, rtol: 1e-5});
         tf.dispose([perBin, shifted]);
         if (backend === 'webgl') {
           // Without packing, x is read unpacked and y is returned unpacked.
           const pack = tf.env().getBool('WEBGL_PACK'), lazily = tf.env().getBool('WEBGL_LAZILY_UNPACK');
           tf.env().set('WEBGL_PACK', false);
           tf.env().set('WEBGL_LAZILY_UNPACK', false);
           try {
             const xUnpacked = tf.add(xt, 0);
             const yUnpacked = roiAlignRotated(
                 xUnpacked as tf.Tensor4D, bt, it, [outH, outW], {samplingRatio, spatialScale, angleUnit, clockwise});
             checkClose(await values(yUnpacked), expected, 'y, x unpacked');
             tf.dispose([xUnpacked, yUnpacked]);
           } finally {
             tf.env().set('WEBGL_PACK', pack);
             tf.env().set('WEBGL_LAZILY_UNPACK', lazily);
           }
         }
         tf.dispose([xt, bt, it, y]);
       });
  }

  const N = 2, H = 6, W = 7, C = 2;
  let x: tf.Tensor4D, indices: tf.Tensor1D;
  beforeAll(() => {
    x = tf.tensor4d(randomValues(seededRandom(31), N * H * W * C), [N, H, W, C]);
    indices = tf.tensor1d([0, 1, 1], 'int32');
  });
  afterAll(() => tf.dispose([x, indices]));

  it('angle 0 equals aligned roiAlign on the same axis-aligned box: y, dx and dboxes', async () => {
    // (cx, cy, w, h) with the corners (cx -+ w/2, cy -+ h/2).
    const centred = [[3.2, 2.9, 4.4, 3.6], [2.1, 3.7, 2.6, 5.2], [4.8, 1.3, 7.5, 1.9]];
    const rotatedBoxes = tf.tensor2d(centred.map(b => [...b, 0]));
    const cornerBoxes = tf.tensor2d(centred.map(([cx, cy, w, h]) => [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]));
    const dy = tf.tensor4d(randomValues(seededRandom(32), 3 * 2 * 3 * C), [3, 2, 3, C]);
    for (const samplingRatio of [0, 2]) {
      const rotated = rotatedOp(indices, [2, 3], {samplingRatio});
      const aligned = (a: tf.Tensor, b: tf.Tensor) =>
          roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, indices, [2, 3], {samplingRatio, aligned: true});
      const y = rotated(x, rotatedBoxes), yAligned = aligned(x, cornerBoxes);
      checkClose(await values(y), await values(yAligned), `samplingRatio ${samplingRatio}: y`);
      const [dx, dboxes] = tf.grads(rotated)([x, rotatedBoxes], dy);
      const [dxAligned, dcorners] = tf.grads(aligned)([x, cornerBoxes], dy);
      checkClose(await values(dx), await values(dxAligned), `samplingRatio ${samplingRatio}: dx`);
      // d/dcx = d/dx1 + d/dx2 and d/dw = (d/dx2 - d/dx1) / 2, likewise for y.
      const g = await values(dcorners);
      const expected = centred.flatMap((_, k) => {
        const [x1, y1, x2, y2] = Array.from(g.slice(4 * k, 4 * k + 4));
        return [x1 + x2, y1 + y2, (x2 - x1) / 2, (y2 - y1) / 2];
      });
      const d = await values(dboxes);
      checkClose(centred.flatMap((_, k) => Array.from(d.slice(5 * k, 5 * k + 4))), expected,
                 `samplingRatio ${samplingRatio}: dboxes`);
      tf.dispose([y, yAligned, dx, dboxes, dxAligned, dcorners]);
    }
    tf.dispose([rotatedBoxes, cornerBoxes, dy]);
  });

  it('a square box turned 90 degrees equals pooling the transposed map (columns reversed)', async () => {
    const [cx, cy, side] = [3.3, 2.8, 3.4];
    const boxes = tf.tensor2d([[cx, cy, side, side, 90], [cy + 0.4, cx - 0.2, side, side, 90]]);
    const twoIndices = tf.tensor1d([0, 1], 'int32');
    for (const samplingRatio of [0, 2]) {
      const y = roiAlignRotated(x, boxes, twoIndices, 3, {samplingRatio});
      const transposed = tf.transpose(x, [0, 2, 1, 3]);
      // In the transposed map the centre (cx, cy) sits at (cy, cx).
      const corners = tf.tensor2d([
        [cy - side / 2, cx - side / 2, cy + side / 2, cx + side / 2],
        [cx - 0.2 - side / 2, cy + 0.4 - side / 2, cx - 0.2 + side / 2, cy + 0.4 + side / 2]
      ]);
      const pooled = tf.reverse(
          roiAlign(transposed as tf.Tensor4D, corners, twoIndices, 3, {samplingRatio, aligned: true}), 2);
      checkClose(await values(y), await values(pooled), `samplingRatio ${samplingRatio}`);
      tf.dispose([y, transposed, corners, pooled]);
    }
    tf.dispose([boxes, twoIndices]);
  });

  it('angleUnit radians and clockwise match degrees counter-clockwise, and the reference', async () => {
    const degrees = [[3.2, 2.9, 4.4, 3.6, 30], [2.1, 3.7, 2.6, 5.2, -75], [4.8, 1.3, 7.5, 1.9, 140]];
    const xValues = Array.from(await values(x));
    const withAngle = (scale: number) => tf.tensor2d(degrees.map(b => [...b.slice(0, 4), b[4] * scale]));
    const variants: Array<[RoIAlignRotatedOptions, number]> = [
      [{}, 1], [{angleUnit: 'radians'}, Math.PI / 180], [{clockwise: true}, -1],
      [{angleUnit: 'radians', clockwise: true}, -Math.PI / 180]
    ];
    const expected = refRoiAlignRotated(
        {x: xValues, shape: [N, H, W, C], boxes: degrees.flat(), boxIndices: [0, 1, 1]},
        {outH: 2, outW: 2, spatialScale: 1, samplingRatio: 2, angleUnit: 'degrees', clockwise: false});
    for (const [options, scale] of variants) {
      const boxes = withAngle(scale);
      const y = roiAlignRotated(x, boxes, indices, 2, {samplingRatio: 2, ...options});
      checkClose(await values(y), expected, JSON.stringify(options));
      tf.dispose([boxes, y]);
    }
  });

  it('[K,6] boxes with the batch index first, and NCHW, equal [K,5] boxes with boxIndices in NHWC', async () => {
    const boxes = tf.tensor2d([[3.2, 2.9, 4.4, 3.6, 30], [2.1, 3.7, 2.6, 5.2, -75], [4.8, 1.3, 7.5, 1.9, 140]]);
    const rois = tf.concat([tf.tensor2d([[0], [1], [1]]), boxes], 1);
    const dy = tf.tensor4d(randomValues(seededRandom(33), 3 * 2 * 2 * C), [3, 2, 2, C]);
    const [dx, dboxes] = tf.grads(rotatedOp(indices, 2, {}))([x, boxes], dy);
    const xNCHW = tf.transpose(x, [0, 3, 1, 2]);
    const dyNCHW = tf.transpose(dy, [0, 3, 1, 2]);
    const [dxNCHW, drois] = tf.grads(rotatedOp(null, 2, {dataFormat: 'NCHW'}))([xNCHW, rois], dyNCHW);
    const y = roiAlignRotated(x, boxes, indices, 2);
    const yNCHW = roiAlignRotated(xNCHW, rois, null, 2, {dataFormat: 'NCHW'});
    const yBack = tf.transpose(yNCHW, [0, 2, 3, 1]), dxBack = tf.transpose(dxNCHW, [0, 2, 3, 1]);
    checkClose(await values(yBack), await values(y), 'y');
    checkClose(await values(dxBack), await values(dx), 'dx');
    const d5 = await values(dboxes);
    const withBatchColumn = [0, 1, 2].flatMap(k => [0, ...Array.from(d5.slice(5 * k, 5 * k + 5))]);
    checkClose(await values(drois), withBatchColumn, 'dboxes (the batch column gets 0)');
    tf.dispose([boxes, rois, dy, dx, dboxes, xNCHW, dyNCHW, dxNCHW, drois, y, yNCHW, yBack, dxBack]);
  });

  it('a NaN box or a batch index outside [0,N) gives 0 and no gradient; other boxes are untouched', async () => {
    const good = [3.2, 2.9, 4.4, 3.6, 30];
    const boxes = tf.tensor2d([good, [NaN, 2, 3, 3, 0], [3, 3, 3, 3, Infinity], good, good]);
    const badIndices = tf.tensor1d([0, 0, 1, -1, 2], 'int32');
    const run = rotatedOp(badIndices, 2, {samplingRatio: 2});
    const y = await values(run(x, boxes));
    const per = 2 * 2 * C;
    const first = refRoiAlignRotated(
        {x: Array.from(await values(x)), shape: [N, H, W, C], boxes: good, boxIndices: [0]},
        {outH: 2, outW: 2, spatialScale: 1, samplingRatio: 2, angleUnit: 'degrees', clockwise: false});
    checkClose(y.slice(0, per), first, 'readable box');
    checkClose(y.slice(per), new Float32Array(4 * per), 'unreadable boxes', {atol: 0, rtol: 0});
    const [dx, dboxes] = tf.grads(run)([x, boxes], tf.ones([5, 2, 2, C]));
    checkClose((await values(dboxes)).slice(5), new Float32Array(20), 'dboxes of unreadable boxes', {atol: 0, rtol: 0});
    checkClose((await values(dx)).slice(H * W * C), new Float32Array(H * W * C), 'dx of image 1', {atol: 0, rtol: 0});
    tf.dispose([boxes, badIndices, dx, dboxes]);
  });

  it('no boxes gives an empty result and zero gradients', async () => {
    const none = tf.zeros([0, 5]) as tf.Tensor2D;
    const noIndices = tf.zeros([0], 'int32') as tf.Tensor1D;
    const run = rotatedOp(noIndices, [3, 2], {});
    const y = run(x, none);
    expect(y.shape).toEqual([0, 3, 2, C]);
    const [dx, dboxes] = tf.grads(run)([x, none], tf.zeros([0, 3, 2, C]));
    checkClose(await values(dx), new Float32Array(N * H * W * C), 'dx', {atol: 0, rtol: 0});
    expect(dboxes.shape).toEqual([0, 5]);
    tf.dispose([none, noIndices, y, dx, dboxes]);
  });

  describe('throws a clear Error naming the argument', () => {
    const boxes = () => tf.tensor2d([[3, 3, 2, 2, 0]]);
    const one = () => tf.tensor1d([0], 'int32');
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['boxes [K,4]', () => roiAlignRotated(x, tf.zeros([1, 4]) as tf.Tensor2D, one(), 2),
       /roiAlignRotated: boxes must be \[K,5\] \(cx,cy,w,h,angle\) or \[K,6\] \(batchIndex,cx,cy,w,h,angle\), got shape \[1,4\]/],
      ['boxIndices with [K,6]', () => roiAlignRotated(x, tf.zeros([1, 6]) as tf.Tensor2D, one(), 2),
       /roiAlignRotated: boxIndices must be null when boxes are \[K,6\]/],
      ['boxIndices missing with [K,5]', () => roiAlignRotated(x, boxes(), null, 2),
       /roiAlignRotated: boxIndices is required with \[K,5\] boxes/],
      ['x not 4-D', () => roiAlignRotated(tf.zeros([4, 5, 2]) as unknown as tf.Tensor4D, boxes(), one(), 2), /roiAlignRotated: x must be 4-D/],
      ['angleUnit', () => roiAlignRotated(x, boxes(), one(), 2, {angleUnit: 'turns' as never}),
       /roiAlignRotated: angleUnit must be 'degrees' or 'radians', got "turns"/],
      ['clockwise', () => roiAlignRotated(x, boxes(), one(), 2, {clockwise: 1 as never}), /roiAlignRotated: clockwise must be a boolean/],
      ['aligned is not an option', () => roiAlignRotated(x, boxes(), one(), 2, {aligned: true} as never),
       /roiAlignRotated: unknown option 'aligned'/],
      ['outputSize', () => roiAlignRotated(x, boxes(), one(), 0), /roiAlignRotated: outputSize must be a positive integer/],
      ['samplingRatio', () => roiAlignRotated(x, boxes(), one(), 2, {samplingRatio: 0.5}), /roiAlignRotated: samplingRatio must be an integer/],
    ];
    for (const [name, fn, pattern] of cases) {
      it(name, () => expectThrowsCleanly(fn, pattern));
    }
  });

  it('leaks no tensor: forward and backward, both layouts and box forms', async () => {
    const boxes = tf.tensor2d([[3, 3, 2, 2, 10], [2, 4, 3, 1, -20], [4, 2, 2, 3, 45]]);
    const rois = tf.tensor2d([[0, 3, 3, 2, 2, 10], [1, 2, 4, 3, 1, -20]]);
    const before = tf.memory().numTensors;
    const grads = [
      tf.grads(rotatedOp(indices, 2, {}))([x, boxes]),
      tf.grads(rotatedOp(null, [2, 3], {dataFormat: 'NCHW', angleUnit: 'radians', clockwise: true}))([x, rois]),
    ];
    for (const g of grads) await Promise.all(g.map(t => t.data()));
    const y = roiAlignRotated([[[[1]]]], [[0, 0, 1, 1, 0]], [0], 1);
    await y.data();
    tf.dispose([...grads.flat(), y]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([boxes, rois]);
  });
});
