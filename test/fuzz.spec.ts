/**
 * Seeded random cases, as an outside fuzzer draws them, against stored
 * torchvision outputs (scripts/golden/fuzz.py; 'max' mode from that script's
 * float32-geometry reference, as torchvision has none): roiAlign 'avg'
 * unaligned and aligned, 'max', roiPool, psRoiAlign and psRoiPool, with C up
 * to 70, far, huge, reversed, edge-exact and unreadable boxes, NCHW and
 * [K,5] boxes. test/fuzz_cases.ts draws the inputs again from the seeds.
 */
import * as tf from '@tensorflow/tfjs';

import {psRoiAlign, psRoiPool, roiAlign, roiPool} from '../src/index';
import fuzzFixture from './fixtures/fuzz.json';
import {decodeFloat32, FUZZ_OPS, fuzzCase, inputDigest} from './fuzz_cases';
import type {FuzzCase, FuzzOp} from './fuzz_cases';
import {checkClose, cpuPathName, cpuWasmChoices, describeEachBackend, values, withCpuWasm} from './harness';

interface FuzzFixture {
  cases: number;
  ops: Record<FuzzOp, {digests: number[], outputs: string[]}>;
}

const fixture = fuzzFixture as unknown as FuzzFixture;

/** Cases per op: all of them on cpu, the first 40 on the (software) GPUs. */
const casesOn = (backend: string) => backend === 'cpu' ? fixture.cases : 40;

/** The case's output in torchvision's layout, [K,C',outH,outW]. */
function runCase(c: FuzzCase): tf.Tensor {
  return tf.tidy(() => {
    const nchw = tf.tensor4d(c.x, [c.n, c.channels, c.height, c.width]);
    const x = c.nchw ? nchw : tf.transpose(nchw, [0, 2, 3, 1]);
    const dataFormat = c.nchw ? 'NCHW' : 'NHWC';
    const rows = c.five ? c.boxes.map((b, k) => [c.boxIndices[k], ...b]) : c.boxes;
    const boxes = tf.tensor2d(rows, [rows.length, c.five ? 5 : 4]);
    const indices = c.five ? null : tf.tensor1d(c.boxIndices, 'int32');
    const size: [number, number] = [c.outH, c.outW];
    const {spatialScale, samplingRatio, aligned} = c;
    let y: tf.Tensor;
    switch (c.op) {
      case 'avg':
      case 'aligned':
      case 'max':
        y = roiAlign(x as tf.Tensor4D, boxes, indices, size,
                     {spatialScale, samplingRatio, aligned, mode: c.op === 'max' ? 'max' : 'avg', dataFormat});
        break;
      case 'pool':
        y = roiPool(x as tf.Tensor4D, boxes, indices, size, {spatialScale, dataFormat});
        break;
      case 'psalign':
        y = psRoiAlign(x as tf.Tensor4D, boxes, indices, size, {spatialScale, samplingRatio, dataFormat});
        break;
      case 'pspool':
        y = psRoiPool(x as tf.Tensor4D, boxes, indices, size, {spatialScale, dataFormat});
        break;
    }
    return c.nchw ? y : tf.transpose(y, [0, 3, 1, 2]);
  });
}

function describeCase(c: FuzzCase, i: number): string {
  return `${c.op} case ${i}: x [${c.n},${c.channels},${c.height},${c.width}] ${c.nchw ? 'NCHW' : 'NHWC'}, out ${
      c.outH}x${c.outW}, scale ${c.spatialScale}, ratio ${c.samplingRatio}, aligned ${c.aligned}, boxes ${
      JSON.stringify(c.boxes)} ${c.five ? '[K,5]' : `indices ${c.boxIndices}`}`;
}

describe('fuzz cases', () => {
  it('are drawn in TypeScript exactly as scripts/golden/fuzz.py drew them', () => {
    for (const op of FUZZ_OPS) {
      for (let i = 0; i < fixture.cases; i++) {
        const digest = inputDigest(fuzzCase(op, i));
        if (digest !== fixture.ops[op].digests[i]) {
          throw new Error(`${op} case ${i}: inputs digest ${digest}, the fixture's ${
              fixture.ops[op].digests[i]}: test/fuzz_cases.ts and scripts/golden/fuzz.py disagree`);
        }
      }
    }
    expect(FUZZ_OPS.length * fixture.cases).toBeGreaterThanOrEqual(6 * 200);
  });
});

/**
 * Cases per it(): a software GPU compiles a program for most new shapes, and
 * a chunk must stay well inside the runner's time limit per test.
 */
const CHUNK = 5;

describeEachBackend('fuzz: seeded random cases against torchvision', (backend) => {
  for (const wasm of cpuWasmChoices(backend)) {
    for (const op of FUZZ_OPS) {
      const chunk = backend === 'cpu' ? casesOn(backend) : CHUNK;
      for (let first = 0; first < casesOn(backend); first += chunk) {
        const last = Math.min(first + chunk, casesOn(backend));
        it(`${op}: cases ${first} to ${last - 1}${cpuPathName(wasm)}`, async () => {
          await withCpuWasm(wasm, async () => {
            const before = tf.memory().numTensors;
            const failures: string[] = [];
            for (let i = first; i < last; i++) {
              const c = fuzzCase(op, i);
              const y = runCase(c);
              const actual = await values(y);
              y.dispose();
              try {
                checkClose(actual, decodeFloat32(fixture.ops[op].outputs[i]), describeCase(c, i));
              } catch (e) {
                failures.push((e as Error).message);
              }
            }
            expect(tf.memory().numTensors).toBe(before);
            if (failures.length > 0) {
              throw new Error(`${failures.length} of ${last - first} ${op} cases differ:\n${failures.join('\n')}`);
            }
          });
        });
      }
    }
  }
});
