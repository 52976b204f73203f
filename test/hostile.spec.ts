/**
 * Hostile and extreme input (README "Limits and hostile input"), on every
 * backend:
 * - the cap on samples per bin and axis: a fixed samplingRatio past it is
 *   refused, naming samplingRatio and the limit; an adaptive grid past it (or
 *   not finite) makes the box unreadable: 0, and no gradient;
 * - empty maps (H = 0 or W = 0) give 0 for every op, forward and backward;
 * - NaN and +-Infinity in x give torchvision's NaN / Infinity pattern
 *   (torchvision fixtures, scripts/golden/hostile.py);
 * - far boxes (coordinates above 1e4) and edge-exact boxes (samples exactly
 *   on -1, 0, H - 1, H) against torchvision.
 * The cases that hung or crashed a process run under a time limit in a child
 * process in test/node/hostile_process.test.ts.
 */
import * as tf from '@tensorflow/tfjs';

import {psRoiAlign, psRoiPool, roiAlign, roiAlignRotated, roiPool} from '../src/index';
import {MAX_SAMPLES_PER_BIN_AXIS} from '../src/limits';
import hostileFixture from './fixtures/hostile.json';
import {decodeFloat32} from './fuzz_cases';
import {checkClose, cpuPathName, cpuWasmChoices, describeEachBackend, expectThrowsCleanly, values, withCpuWasm} from './harness';
import {refRoiAlign} from './reference';
import {refPsRoiAlign} from './reference_ps';
import {refRoiAlignRotated} from './reference_rotated';

interface B64Tensor {
  shape: number[];
  base64: string;
}

interface HostileCase {
  name: string;
  op: 'roiAlign'|'psRoiAlign'|'roiPool'|'psRoiPool';
  attrs: {outputSize: [number, number], spatialScale: number, samplingRatio: number, aligned: boolean};
  x: string;
  boxes: B64Tensor;
  boxIndices: number[];
  y: B64Tensor;
}

const fixture = hostileFixture as unknown as {maps: Record<string, B64Tensor>, cases: HostileCase[]};

/**
 * checkClose that also holds the non-finite values to torchvision's: NaN
 * where it has NaN, the same infinity where it has one.
 */
function checkWithNonFinite(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  const finiteActual = Float64Array.from(actual), finiteExpected = Float64Array.from(expected);
  const wrong: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isFinite(e) && Number.isFinite(a)) continue;
    if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) wrong.push(`[${i}]: ${a}, expected ${e}`);
    finiteActual[i] = finiteExpected[i] = 0;
  }
  if (wrong.length > 0) {
    throw new Error(`${label}: ${wrong.length} non-finite values differ from torchvision's: ${wrong.slice(0, 12).join('; ')}`);
  }
  checkClose(finiteActual, finiteExpected, label);
}

function runFixture(c: HostileCase): tf.Tensor {
  const map = fixture.maps[c.x];
  const x = tf.tensor4d(decodeFloat32(map.base64), map.shape as [number, number, number, number]);
  const boxes = tf.tensor2d(decodeFloat32(c.boxes.base64), c.boxes.shape as [number, number]);
  const indices = tf.tensor1d(c.boxIndices, 'int32');
  const {outputSize, spatialScale, samplingRatio, aligned} = c.attrs;
  const y = c.op === 'roiAlign' ? roiAlign(x, boxes, indices, outputSize, {spatialScale, samplingRatio, aligned}) :
      c.op === 'psRoiAlign' ? psRoiAlign(x, boxes, indices, outputSize, {spatialScale, samplingRatio}) :
      c.op === 'roiPool'    ? roiPool(x, boxes, indices, outputSize, {spatialScale}) :
                              psRoiPool(x, boxes, indices, outputSize, {spatialScale});
  tf.dispose([x, boxes, indices]);
  return y;
}

type OpName = 'roiAlign avg'|'roiAlign aligned'|'roiAlign max'|'roiPool'|'psRoiAlign'|'psRoiPool'|'roiAlignRotated';
const ALL_OPS: OpName[] =
    ['roiAlign avg', 'roiAlign aligned', 'roiAlign max', 'roiPool', 'psRoiAlign', 'psRoiPool', 'roiAlignRotated'];

/**
 * Op `name` at outputSize 2 as a function of (x, boxes), [K,4] boxes ([K,5]
 * rotated: cx, cy, w, h, angle) and fixed indices.
 */
function opOf(name: OpName, indices: tf.Tensor1D, samplingRatio = 0, spatialScale = 1) {
  return (x: tf.Tensor, boxes: tf.Tensor): tf.Tensor => {
    const x4 = x as tf.Tensor4D, b = boxes as tf.Tensor2D;
    switch (name) {
      case 'roiAlign avg': return roiAlign(x4, b, indices, 2, {samplingRatio, spatialScale});
      case 'roiAlign aligned': return roiAlign(x4, b, indices, 2, {samplingRatio, spatialScale, aligned: true});
      case 'roiAlign max': return roiAlign(x4, b, indices, 2, {samplingRatio, spatialScale, mode: 'max'});
      case 'roiPool': return roiPool(x4, b, indices, 2, {spatialScale});
      case 'psRoiAlign': return psRoiAlign(x4, b, indices, 2, {samplingRatio, spatialScale});
      case 'psRoiPool': return psRoiPool(x4, b, indices, 2, {spatialScale});
      case 'roiAlignRotated': return roiAlignRotated(x4, b, indices, 2, {samplingRatio, spatialScale});
    }
  };
}

/** y, dx and dboxes of op at x and boxes, with dy all ones. */
async function forwardAndGradients(
    op: (x: tf.Tensor, boxes: tf.Tensor) => tf.Tensor, x: tf.Tensor, boxes: tf.Tensor) {
  const y = op(x, boxes);
  const [dx, dboxes] = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a, b).sum())([x, boxes]);
  const out = {y: await values(y), yShape: y.shape, dx: await values(dx), dxShape: dx.shape, dboxes: await values(dboxes)};
  tf.dispose([y, dx, dboxes]);
  return out;
}

function expectAllZero(v: ArrayLike<number>, label: string): void {
  const bad = Array.from(v).findIndex(e => e !== 0);
  if (bad >= 0) throw new Error(`${label}: [${bad}] is ${v[bad]}, expected every value 0`);
  expect(bad).toBe(-1);
}

/** The values of box k (of numBoxes) in a [K,outH,outW,C] flat output. */
function boxSlice(v: ArrayLike<number>, k: number, numBoxes: number): number[] {
  const per = v.length / numBoxes;
  return Array.from(v).slice(k * per, (k + 1) * per);
}

describeEachBackend('hostile input', (backend) => {
  describe('the cap on samples per bin and axis', () => {
    it('is 1024', () => {
      expect(MAX_SAMPLES_PER_BIN_AXIS).toBe(1024);
    });

    it('refuses a fixed samplingRatio above it, naming samplingRatio and the limit', () => {
      const x = tf.zeros([1, 8, 8, 4]);
      const boxes = tf.tensor2d([[0, 0, 4, 4]]);
      const rotated = tf.tensor2d([[2, 2, 4, 4, 0]]);
      const indices = tf.tensor1d([0], 'int32');
      const pattern = /samplingRatio[\s\S]*1024|1024[\s\S]*samplingRatio/;
      for (const ratio of [MAX_SAMPLES_PER_BIN_AXIS + 1, 10000, 2 ** 31 - 1]) {
        expectThrowsCleanly(() => roiAlign(x as tf.Tensor4D, boxes, indices, 7, {samplingRatio: ratio}), pattern);
        expectThrowsCleanly(
            () => roiAlign(x as tf.Tensor4D, boxes, indices, 7, {samplingRatio: ratio, mode: 'max'}), pattern);
        expectThrowsCleanly(() => psRoiAlign(x as tf.Tensor4D, boxes, indices, 2, {samplingRatio: ratio}), pattern);
        expectThrowsCleanly(() => roiAlignRotated(x as tf.Tensor4D, rotated, indices, 7, {samplingRatio: ratio}), pattern);
      }
      tf.dispose([x, boxes, rotated, indices]);
    });

    for (const wasm of cpuWasmChoices(backend)) {
      it(`reads a box of exactly 1024 samples per bin and axis, and not one of 1025${cpuPathName(wasm)}`, async () => {
        await withCpuWasm(wasm, async () => {
          // A constant map, so that the 64 inside samples of the 1024 x 1024 show.
          const shape = [1, 8, 8, 1];
          const xValues = new Float32Array(64).fill(1e4);
          const x = tf.tensor4d(xValues, shape as [number, number, number, number]);
          const indices = tf.tensor1d([0, 0], 'int32');
          const cases: Array<{aligned: boolean, boxes: number[]}> = [
            {aligned: false, boxes: [0, 0, 1024, 1024, 0, 0, 1025, 1025]},
            {aligned: true, boxes: [0.5, 0.5, 1024.5, 1024.5, 0.5, 0.5, 1025.5, 1025.5]},
          ];
          for (const {aligned, boxes} of cases) {
            const b = tf.tensor2d(boxes, [2, 4]);
            for (const mode of ['avg', 'max'] as const) {
              const y = roiAlign(x, b, indices, 1, {aligned, mode});
              const expected = refRoiAlign({x: xValues, shape, boxes, boxIndices: [0, 0]},
                                           {outH: 1, outW: 1, spatialScale: 1, samplingRatio: 0, aligned, mode});
              expected[1] = 0;
              checkClose(await values(y), expected, `roiAlign ${mode} aligned ${aligned}`);
              y.dispose();
            }
            if (aligned) {
              const y = psRoiAlign(x, b, indices, 1);
              const expected = refPsRoiAlign({x: xValues, shape, boxes, boxIndices: [0, 0]},
                                             {outH: 1, outW: 1, spatialScale: 1, samplingRatio: 0});
              expected[1] = 0;
              checkClose(await values(y), expected, 'psRoiAlign');
              y.dispose();
            }
            b.dispose();
          }
          const rotatedBoxes = [4, 4, 1024, 1024, 30, 4, 4, 1025, 1025, 30];
          const b = tf.tensor2d(rotatedBoxes, [2, 5]);
          const y = roiAlignRotated(x, b, indices, 1);
          const expected = refRoiAlignRotated({x: xValues, shape, boxes: rotatedBoxes, boxIndices: [0, 0]},
              {outH: 1, outW: 1, spatialScale: 1, samplingRatio: 0, angleUnit: 'degrees', clockwise: false});
          expected[1] = 0;
          checkClose(await values(y), expected, 'roiAlignRotated');
          tf.dispose([x, indices, b, y]);
        });
      });

      it(`makes an adaptive-grid box past it unreadable: 0 and no gradient, other boxes as usual${cpuPathName(wasm)}`,
         async () => {
           await withCpuWasm(wasm, async () => {
             const shape = [1, 6, 6, 4];
             const xValues = Float32Array.from({length: 144}, (_, i) => Math.sin(i) * 3);
             const x = tf.tensor4d(xValues, shape as [number, number, number, number]);
             const indices = tf.tensor1d([0, 0, 0, 0], 'int32');
             // 1e30, 3e38 (times spatialScale 2: Infinity), 1e6 and 1e4 on one axis.
             const huge = [[0, 0, 1e30, 1e30], [1, 1, 3e38, 4], [1, 1, 4, 1e6], [-5000, 1, 5000, 4]];
             const normal = [1, 1, 5, 4.5];
             for (const name of ['roiAlign avg', 'roiAlign aligned', 'roiAlign max', 'psRoiAlign'] as OpName[]) {
               for (const spatialScale of [1, 2]) {
                 const boxes = tf.tensor2d([...huge.slice(0, 3), normal], [4, 4]);
                 const r = await forwardAndGradients(opOf(name, indices, 0, spatialScale), x, boxes);
                 const label = `${name} at spatialScale ${spatialScale}`;
                 for (let k = 0; k < 3; k++) expectAllZero(boxSlice(r.y, k, 4), `${label}: box ${k}'s output`);
                 expectAllZero(Array.from(r.dboxes).slice(0, 12), `${label}: the unreadable boxes' gradient`);
                 const inp = {x: xValues, shape, boxes: normal, boxIndices: [0]};
                 const o = {outH: 2, outW: 2, spatialScale, samplingRatio: 0};
                 const expected = name === 'psRoiAlign' ? refPsRoiAlign(inp, o) :
                     refRoiAlign(inp, {...o, aligned: name === 'roiAlign aligned', mode: name === 'roiAlign max' ? 'max' : 'avg'});
                 checkClose(boxSlice(r.y, 3, 4), expected, `${label}: the ordinary box`);
                 boxes.dispose();
               }
               // Alone, an unreadable box passes no gradient to x either.
               const alone = tf.tensor2d(huge, [4, 4]);
               const r = await forwardAndGradients(opOf(name, indices), x, alone);
               expectAllZero(r.y, `${name}: unreadable boxes' output`);
               expectAllZero(r.dx, `${name}: unreadable boxes' dx`);
               expectAllZero(r.dboxes, `${name}: unreadable boxes' dboxes`);
               alone.dispose();
             }
             const rotated = tf.tensor2d([[3, 3, 1e4, 1e4, 0], [3, 3, 1e30, 1e30, 45], [3, 3, 2, 1e5, 10],
                                          [3, 3, 3e38, 3e38, 0]]);
             const r = await forwardAndGradients(opOf('roiAlignRotated', indices), x, rotated);
             expectAllZero(r.y, 'roiAlignRotated: w = h = 1e4, 1e30, 3e38 and h = 1e5');
             expectAllZero(r.dx, 'roiAlignRotated: dx');
             expectAllZero(r.dboxes, 'roiAlignRotated: dboxes');
             tf.dispose([x, indices, rotated]);
           });
         });
    }
  });

  describe('empty maps (H = 0 or W = 0) with boxes', () => {
    for (const wasm of cpuWasmChoices(backend)) {
      it(`give 0 for every op, and zero gradients${cpuPathName(wasm)}`, async () => {
        await withCpuWasm(wasm, async () => {
          const indices = tf.tensor1d([0, 1], 'int32');
          for (const [h, w] of [[0, 8], [8, 0], [0, 0]]) {
            for (const name of ALL_OPS) {
              const channels = name.startsWith('ps') ? 8 : 3;
              const x = tf.zeros([2, h, w, channels]);
              const boxes = name === 'roiAlignRotated' ? tf.tensor2d([[2, 2, 4, 4, 30], [-1, 0, 9, 9, 0]]) :
                                                         tf.tensor2d([[0, 0, 4, 4], [-1, 2, 9, 9]]);
              for (const samplingRatio of [0, 2]) {
                const r = await forwardAndGradients(opOf(name, indices, samplingRatio), x, boxes);
                const label = `${name} on [2,${h},${w},${channels}], samplingRatio ${samplingRatio}`;
                expect(r.yShape).toEqual([2, 2, 2, name.startsWith('ps') ? 2 : 3]);
                expectAllZero(r.y, `${label}: y`);
                expect(r.dxShape).toEqual([2, h, w, channels]);
                expectAllZero(r.dboxes, `${label}: dboxes`);
              }
              tf.dispose([x, boxes]);
            }
          }
          indices.dispose();
        });
      });

      it(`read nothing outside x after a call on a full map (the WebAssembly path kept its memory)${cpuPathName(wasm)}`,
         async () => {
           await withCpuWasm(wasm, async () => {
             const full = tf.randomUniform([1, 8, 8, 4]) as tf.Tensor4D;
             const boxes = tf.tensor2d([[0, 0, 4, 4], [-1, 2, 9, 9]]);
             const indices = tf.tensor1d([0, 0], 'int32');
             tf.dispose(roiAlign(full, boxes, indices, 2));
             const empty = tf.zeros([1, 8, 0, 4]) as tf.Tensor4D;
             for (const aligned of [false, true]) {
               const y = roiAlign(empty, boxes, indices, 2, {aligned});
               expectAllZero(await values(y), `roiAlign aligned ${aligned} on [1,8,0,4]`);
               y.dispose();
             }
             tf.dispose([full, boxes, indices, empty]);
           });
         });
    }
  });

  describe('torchvision fixtures: non-finite x, far boxes, edge-exact boxes', () => {
    for (const wasm of cpuWasmChoices(backend)) {
      for (const group of ['nonfinite', 'far', 'edge']) {
        it(`${group} cases${cpuPathName(wasm)}`, async () => {
          await withCpuWasm(wasm, async () => {
            const failures: string[] = [];
            const cases = fixture.cases.filter(c => c.name.startsWith(group + '_'));
            expect(cases.length).toBeGreaterThan(0);
            for (const c of cases) {
              const y = runFixture(c);
              try {
                expect(y.shape).toEqual(c.y.shape);
                checkWithNonFinite(await values(y), decodeFloat32(c.y.base64), c.name);
              } catch (e) {
                failures.push((e as Error).message);
              }
              y.dispose();
            }
            if (failures.length > 0) throw new Error(`${failures.length} of ${cases.length} cases differ:\n${failures.join('\n')}`);
          });
        });
      }
    }
  });
});
