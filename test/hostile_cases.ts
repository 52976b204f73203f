/**
 * The inputs that once hung a kernel or crashed the process (issue: hostile
 * input), as named cases for a runner that gives each a time limit: a child
 * process in Node (test/node/hostile_child.ts) or a page in Chromium
 * (test/e2e/hostile.e2e.mjs). Each case throws an Error when the result is
 * wrong; call prepareHostileCases once the backend is set.
 */
import * as tf from '@tensorflow/tfjs';

import {psRoiAlign, roiAlign, roiAlignRotated} from '../src/index';

export type HostileCase = [string, () => Promise<void>];

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

async function allZero(t: tf.Tensor, label: string): Promise<void> {
  const v = await t.data();
  const bad = v.findIndex(e => e !== 0);
  check(bad < 0, `${label}: [${bad}] is ${v[bad]}, expected 0`);
}

/** Throws unless fn throws an Error that names samplingRatio and the limit 1024. */
function refused(fn: () => unknown, label: string): void {
  let message = '';
  try {
    tf.tidy(fn as () => tf.Tensor);
  } catch (e) {
    message = e instanceof Error ? e.message : String(e);
  }
  check(/samplingRatio/.test(message) && /1024/.test(message),
        `${label}: expected an Error naming samplingRatio and 1024, got ${message === '' ? 'no throw' : message}`);
}

/** y, dx and dboxes (dy all ones) of op, all zero. */
async function zeroWithGradients(op: (x: tf.Tensor, b: tf.Tensor) => tf.Tensor, x: tf.Tensor, boxes: tf.Tensor,
                                 label: string): Promise<void> {
  const y = op(x, boxes);
  const [dx, dboxes] = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a, b).sum())([x, boxes]);
  await allZero(y, `${label}: y`);
  await allZero(dx, `${label}: dx`);
  await allZero(dboxes, `${label}: dboxes`);
  tf.dispose([y, dx, dboxes]);
}

export const hostileCases: HostileCase[] = [];
// Made by prepareHostileCases, once the backend is chosen.
let x: tf.Tensor4D, box: tf.Tensor2D, rotatedBox: tf.Tensor2D, index: tf.Tensor1D;

for (const ratio of [10000, 2 ** 31 - 1]) {
  hostileCases.push([`roiAlign 'max' samplingRatio ${ratio} is refused`, async () =>
      refused(() => roiAlign(x, box, index, 7, {samplingRatio: ratio, mode: 'max'}), 'max')]);
  hostileCases.push([`roiAlign 'avg', psRoiAlign and roiAlignRotated samplingRatio ${ratio} are refused`, async () => {
    refused(() => roiAlign(x, box, index, 7, {samplingRatio: ratio}), 'avg');
    refused(() => roiAlign(x, box, index, 7, {samplingRatio: ratio, aligned: true}), 'aligned');
    refused(() => psRoiAlign(x, box, index, 2, {samplingRatio: ratio}), 'psRoiAlign');
    refused(() => roiAlignRotated(x, rotatedBox, index, 7, {samplingRatio: ratio}), 'roiAlignRotated');
  }]);
}

type BoxOp = (a: tf.Tensor, b: tf.Tensor, spatialScale: number) => tf.Tensor;
const ops: Array<[string, BoxOp]> = [
  ["roiAlign 'avg'", (a, b, spatialScale) => roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, index, 7, {spatialScale})],
  ["roiAlign 'avg' aligned",
   (a, b, spatialScale) => roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, index, 7, {spatialScale, aligned: true})],
  ["roiAlign 'max'",
   (a, b, spatialScale) => roiAlign(a as tf.Tensor4D, b as tf.Tensor2D, index, 7, {spatialScale, mode: 'max'})],
  ['psRoiAlign', (a, b, spatialScale) => psRoiAlign(a as tf.Tensor4D, b as tf.Tensor2D, index, 2, {spatialScale})],
];
const hugeBoxes: Array<[string, number[], number]> =
    [['1e30', [0, 0, 1e30, 1e30], 1], ['3e38 x spatialScale 2 (Infinity)', [0, 0, 3e38, 3e38], 2]];
for (const [name, op] of ops) {
  for (const [what, coords, spatialScale] of hugeBoxes) {
    hostileCases.push([`${name}, adaptive grid, a box of ${what}: 0 and no gradient`, async () => {
      const b = tf.tensor2d([coords]);
      await zeroWithGradients((a, bb) => op(a, bb, spatialScale), x, b, name);
      b.dispose();
    }]);
  }
}
for (const size of [1e4, 1e30]) {
  hostileCases.push([`roiAlignRotated, adaptive grid, w = h = ${size}: 0 and no gradient`, async () => {
    const b = tf.tensor2d([[8, 8, size, size, 30]]);
    await zeroWithGradients((a, bb) => roiAlignRotated(a as tf.Tensor4D, bb as tf.Tensor2D, index, 7), x, b,
                            'roiAlignRotated');
    b.dispose();
  }]);
}

// Last: the slowest on a software GPU.
hostileCases.push([`roiAlign 'max' at samplingRatio 1024 (a million samples a bin) on a constant map`, async () => {
  const constant = tf.fill([1, 8, 8, 2], 7) as tf.Tensor4D;
  const b = tf.tensor2d([[0, 0, 8, 8]]);
  const y = roiAlign(constant, b, index, 1, {samplingRatio: 1024, mode: 'max'});
  const v = await y.data();
  check(v.every(e => Math.abs(e - 7) < 1e-4), `expected 7 everywhere, got [${Array.from(v)}]`);
  tf.dispose([constant, b, y]);
}]);

/** Makes the inputs the cases share, on the current backend. */
export function prepareHostileCases(): void {
  x = tf.randomUniform([1, 16, 16, 4], -1, 1, 'float32', 18) as tf.Tensor4D;
  box = tf.tensor2d([[1, 1, 12, 12]]);
  rotatedBox = tf.tensor2d([[6, 6, 8, 8, 30]]);
  index = tf.tensor1d([0], 'int32');
}
