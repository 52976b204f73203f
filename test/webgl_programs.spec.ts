/**
 * The webgl kernels' compiled programs: calls with other box counts, feature
 * sizes and attributes reuse them (shapes and attributes are uniforms), and
 * every kernel, gradients included, still gives the expected numbers. The
 * numeric checks run on every backend; counting programs and runs, and the
 * refusal of WebGL 1, only on webgl.
 */
import * as tf from '@tensorflow/tfjs';
import type {NamedAttrMap} from '@tensorflow/tfjs-core';

import {RoIAlign, RoIAlignBoxGrad, RoIAlignGrad, RoIAlignRotated, RoIPool, RoIPoolGrad} from '../src/index';
import {RoIAlignBoxGradProgram, RoIAlignGradProgram, RoIAlignPackedProgram, RoIAlignPairedSampleTableProgram, RoIAlignProgram, RoIAlignSampleTableProgram, RoIBoxGradSumProgram} from '../kernels/webgl/roi_align_gpu';
import {RoIPoolGradProgram, RoIPoolPackedProgram, RoIPoolWinnerProgram} from '../kernels/webgl/roi_pool_gpu';
import {RoIAlignRotatedPackedProgram} from '../kernels/webgl/roi_align_rotated_gpu';
import {RoIScatterSharesProgram, RoIUnscatterProgram} from '../kernels/webgl/scatter_align';
import {checkClose, describeEachBackend, expectThrows, randomValues, seededRandom, Tolerance, values} from './harness';
import {RefAlignOptions, RefInput, refRoiAlign, refRoiAlignBoxGrad, refRoiAlignGrad, refRoiPool, refRoiPoolGrad} from './reference';
import {refRoiAlignRotated} from './reference_rotated';

const PROGRAM_CLASSES = [
  RoIAlignPackedProgram, RoIAlignSampleTableProgram, RoIAlignPairedSampleTableProgram, RoIAlignProgram, RoIAlignGradProgram, RoIAlignBoxGradProgram, RoIBoxGradSumProgram,
  RoIPoolPackedProgram, RoIPoolWinnerProgram, RoIPoolGradProgram, RoIAlignRotatedPackedProgram,
  RoIScatterSharesProgram, RoIUnscatterProgram
];

interface WebGLBackendInternals {
  binaryCache: Record<string, {program: object}>;
  runWebGLProgram: (...args: unknown[]) => unknown;
}

/**
 * This package's programs in the webgl backend's cache of compiled binaries,
 * but for the box table pass (RoIBoxTableProgram): that one reads boxes and
 * boxIndices as they come, a lone texel when K = 1, so it compiles once more
 * for one box, in order that the programs counted here never do (see
 * BOX_GLSL in shaders/glsl/roi_common.ts).
 */
function compiledRoIPrograms(): number {
  const cache = (tf.backend() as unknown as WebGLBackendInternals).binaryCache;
  return Object.values(cache)
      .filter(binary => PROGRAM_CLASSES.some(c => binary.program instanceof c))
      .length;
}

interface Case {
  shape: [number, number, number, number];
  numBoxes: number;
  out: [number, number];
  spatialScale: number;
  samplingRatio: number;
  aligned: boolean;
}

/**
 * Boxes of varied size, some past the map's edges, and (given two or more)
 * one whose image index is out of range: it must read nothing.
 */
function makeInputs(c: Case, seed: number) {
  const random = seededRandom(seed);
  const [N, H, W, C] = c.shape;
  const boxes = new Float32Array(4 * c.numBoxes);
  const imageH = H / c.spatialScale, imageW = W / c.spatialScale;
  for (let k = 0; k < c.numBoxes; k++) {
    const w = 0.5 + random() * 1.2 * imageW, h = 0.5 + random() * 1.2 * imageH;
    const x1 = (random() - 0.2) * imageW, y1 = (random() - 0.2) * imageH;
    boxes.set([x1, y1, x1 + w, y1 + h], 4 * k);
  }
  const boxIndices = Int32Array.from({length: c.numBoxes}, () => Math.floor(random() * N));
  if (c.numBoxes > 1) boxIndices[c.numBoxes - 1] = N;
  return {
    x: {values: randomValues(random, N * H * W * C), shape: c.shape},
    boxes: {values: boxes, shape: [c.numBoxes, 4]},
    boxIndices: {values: boxIndices, shape: [c.numBoxes]},
    dy: {values: randomValues(random, c.numBoxes * c.out[0] * c.out[1] * C), shape: [c.numBoxes, ...c.out, C]},
  };
}

/**
 * RoIAlign's box gradient from differences of the float64 reference, box by
 * box, and the boxes where the reference is differentiable (see
 * boxGradientByDifferences): a near-tie in 'max' mode may leave one out. The
 * maps are small, so 1e-5 pixel steps stay above float32's rounding of the
 * sample positions.
 */
function refBoxGrad(ref: RefInput, dy: ArrayLike<number>, o: RefAlignOptions): {dboxes: Float64Array, boxes: number[]} {
  const dboxes = new Float64Array(ref.boxes.length);
  const boxes: number[] = [];
  for (let k = 0; k < ref.boxIndices.length; k++) {
    const grad = refRoiAlignBoxGrad(ref, k, dy, o, 1e-5);
    if (grad === null) continue;
    dboxes.set(grad, 4 * k);
    boxes.push(k);
  }
  expect(boxes.length).toBeGreaterThanOrEqual(ref.boxIndices.length - 1);
  return {dboxes, boxes};
}

/**
 * Runs every kernel on the current backend and checks it against the
 * float64 reference: the forwards' values, dx its adjoint, dboxes its
 * differences.
 */
async function checkAllKernels(c: Case, seed: number): Promise<void> {
  const host = makeInputs(c, seed);
  const tensors = {
    x: tf.tensor(host.x.values, host.x.shape),
    boxes: tf.tensor(host.boxes.values, host.boxes.shape),
    boxIndices: tf.tensor(host.boxIndices.values, host.boxIndices.shape, 'int32'),
    dy: tf.tensor(host.dy.values, host.dy.shape),
  };
  const ref = {x: host.x.values, shape: c.shape, boxes: host.boxes.values, boxIndices: host.boxIndices.values};
  const [outH, outW] = c.out;
  const pooled = {pooledHeight: outH, pooledWidth: outW, spatialScale: c.spatialScale};
  const label = `x [${c.shape}], ${c.numBoxes} boxes, out [${c.out}]`;

  // only: the boxes whose rows of a dboxes [K,4] are checked (default: every value).
  const check = async (name: string, attrs: NamedAttrMap, expected: ArrayLike<number>, tolerance?: Tolerance, only?: number[]) => {
    const inputs = name === RoIAlign || name === RoIPool ?
        {x: tensors.x, boxes: tensors.boxes, boxIndices: tensors.boxIndices} :
        tensors;
    const result = tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
    const pick = (v: ArrayLike<number>) => only ? only.flatMap(k => Array.from(v).slice(4 * k, 4 * k + 4)) : v;
    checkClose(pick(await values(result)), pick(expected), `${name} ${attrs.mode ?? ''} (${label})`, tolerance);
    result.dispose();
  };

  for (const mode of ['avg', 'max'] as const) {
    const attrs = {...pooled, samplingRatio: c.samplingRatio, aligned: c.aligned, mode};
    const o = {outH, outW, ...attrs};
    await check(RoIAlign, attrs, refRoiAlign(ref, o));
    await check(RoIAlignGrad, attrs, refRoiAlignGrad(ref, host.dy.values, o));
    // Box gradients sum dy times slopes over every sample and channel in float32.
    const expected = refBoxGrad(ref, host.dy.values, o);
    await check(RoIAlignBoxGrad, attrs, expected.dboxes, {atol: 1e-3, rtol: 1e-3}, expected.boxes);
  }
  const poolOptions = {outH, outW, spatialScale: c.spatialScale};
  await check(RoIPool, pooled, refRoiPool(ref, poolOptions));
  await check(RoIPoolGrad, pooled, refRoiPoolGrad(ref, host.dy.values, poolOptions));
  // roiAlignRotated's forward on the same boxes as (cx, cy, w, h), turned: x is on the GPU by now,
  // unpacked after an adaptive samplingRatio's RoIAlign and packed after a fixed one's.
  const random = seededRandom(seed + 100);
  const rotated = Float32Array.from({length: 5 * c.numBoxes}, (_, i) => {
    const [x1, y1, x2, y2] = host.boxes.values.slice(4 * Math.floor(i / 5), 4 * Math.floor(i / 5) + 4);
    return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1, 360 * random() - 180][i % 5];
  });
  const rotatedBoxes = tf.tensor2d(rotated, [c.numBoxes, 5]);
  const rotatedAttrs = {...pooled, samplingRatio: c.samplingRatio, angleUnit: 'degrees', clockwise: false} as const;
  const yRotated = tf.engine().runKernel(
      RoIAlignRotated, {x: tensors.x, boxes: rotatedBoxes, boxIndices: tensors.boxIndices}, rotatedAttrs) as tf.Tensor;
  checkClose(await values(yRotated), refRoiAlignRotated({...ref, boxes: rotated}, {outH, outW, ...rotatedAttrs}),
             `${RoIAlignRotated} (${label})`);
  tf.dispose([rotatedBoxes, yRotated, ...Object.values(tensors)]);
}

// Different K (one box too), N, H, W, C, output size and attributes in every
// call, and a y past the texture size limit (16384 elements on most GPUs,
// 8192 on SwiftShader), which tfjs lays out differently. tfjs's program key
// also records whether each input's texture has one row or several: x and
// dy have several here, as features and gradients of all but tiny sizes do.
const CASES: Case[] = [
  {shape: [2, 5, 6, 3], numBoxes: 3, out: [2, 2], spatialScale: 1, samplingRatio: 0, aligned: false},
  {shape: [1, 7, 4, 2], numBoxes: 6, out: [3, 2], spatialScale: 0.5, samplingRatio: 2, aligned: true},
  {shape: [2, 3, 5, 1], numBoxes: 1, out: [2, 3], spatialScale: 1, samplingRatio: 0, aligned: false},
  {shape: [3, 4, 9, 4], numBoxes: 2, out: [1, 3], spatialScale: 2, samplingRatio: 0, aligned: false},
  {shape: [1, 12, 10, 16], numBoxes: 24, out: [7, 7], spatialScale: 0.5, samplingRatio: 2, aligned: true},
];

describeEachBackend('webgl programs', backend => {
  it('every kernel gives the expected numbers as K, feature sizes and attributes change; on webgl with no new program', async () => {
    // The first two cases compile every program: RoIAlign's forward has one
    // for an adaptive samplingRatio (case 0) and one for a fixed one (case 1).
    await checkAllKernels(CASES[0], 1);
    await checkAllKernels(CASES[1], 2);
    const compiled = backend === 'webgl' ? compiledRoIPrograms() : 0;
    for (let i = 2; i < CASES.length; i++) await checkAllKernels(CASES[i], i + 1);
    if (backend === 'webgl') {
      // RoIAlign's forward (avg, max, winners), dx and box shares (avg, max)
      // and box sum; RoIPool's forward (max, winners) and dx; roiAlignRotated's
      // forward (x unpacked, x packed).
      expect(compiled).toBeGreaterThanOrEqual(13);
      expect(compiledRoIPrograms()).toBe(compiled);
    }
  });

  if (backend !== 'webgl') return;

  it('no boxes: an empty y and a zero dx, and no program runs', async () => {
    const webgl = tf.backend() as unknown as WebGLBackendInternals;
    const run = webgl.runWebGLProgram;
    let runs = 0;
    webgl.runWebGLProgram = (...args: unknown[]) => {
      runs++;
      return run.apply(webgl, args);
    };
    const inputs = {
      x: tf.ones([2, 3, 4, 2]),
      boxes: tf.zeros([0, 4]),
      boxIndices: tf.zeros([0], 'int32'),
      dy: tf.zeros([0, 2, 2, 2]),
    };
    const results: tf.Tensor[] = [];
    try {
      const attrs = {pooledHeight: 2, pooledWidth: 2, spatialScale: 1, samplingRatio: 0, aligned: false, mode: 'avg'};
      for (const name of [RoIAlign, RoIAlignGrad, RoIAlignBoxGrad, RoIPool, RoIPoolGrad]) {
        results.push(tf.engine().runKernel(name, inputs, attrs) as tf.Tensor);
      }
    } finally {
      webgl.runWebGLProgram = run;
    }
    expect(runs).toBe(0);
    expect(results.map(r => r.shape)).toEqual([[0, 2, 2, 2], [2, 3, 4, 2], [0, 4], [0, 2, 2, 2], [2, 3, 4, 2]]);
    checkClose(await values(results[1]), new Float32Array(48), 'RoIAlignGrad dx', {atol: 0, rtol: 0});
    checkClose(await values(results[4]), new Float32Array(48), 'RoIPoolGrad dx', {atol: 0, rtol: 0});
    tf.dispose([...results, ...Object.values(inputs)]);
  });

  it('under WebGL 1 every kernel throws a clear Error instead of running', () => {
    const inputs = {
      x: tf.ones([1, 3, 4, 2]),
      boxes: tf.tensor2d([[0, 0, 2, 2]]),
      boxIndices: tf.zeros([1], 'int32'),
      dy: tf.ones([1, 2, 2, 2]),
    };
    const attrs = {pooledHeight: 2, pooledWidth: 2, spatialScale: 1, samplingRatio: 0, aligned: false, mode: 'avg'};
    const version = tf.env().getNumber('WEBGL_VERSION');
    // Only the kernels read the flag here; the context itself stays WebGL 2.
    tf.env().set('WEBGL_VERSION', 1);
    try {
      for (const name of [RoIAlign, RoIAlignGrad, RoIAlignBoxGrad, RoIPool, RoIPoolGrad]) {
        expectThrows(
            () => tf.engine().runKernel(name, inputs, attrs),
            new RegExp(`^${name} on the webgl backend needs WebGL 2, but this context is WebGL 1`));
      }
    } finally {
      tf.env().set('WEBGL_VERSION', version);
    }
    tf.dispose(Object.values(inputs));
  });
});
