/**
 * multiScaleRoiAlign (the FPN pooler) and its layer: torchvision's
 * MultiScaleRoIAlign fixtures, random inputs against a float64 reference
 * (the level of each box recomputed here, then refRoiAlign per box),
 * gradients by central differences, the layer, bad input and leaks.
 */
import * as tf from '@tensorflow/tfjs';

import {layers, multiScaleRoiAlign} from '../src/index';
import type {MultiScaleRoIAlignOptions} from '../src/index';
import {MultiScaleRoIAlignAttrs, MultiScaleRoIAlignBoxGrad, MultiScaleRoIAlignGrad, MultiScaleRoIAlignWinners} from '../src/kernel_names';
import fourLevels from './fixtures/multiscale_four_levels.json';
import defaultCanonical from './fixtures/multiscale_default_canonical.json';
import oneLevel from './fixtures/multiscale_one_level.json';
import ceilSizes from './fixtures/multiscale_ceil_sizes.json';
import levelBoundaries from './fixtures/multiscale_level_boundaries.json';
import defaultBoundaries from './fixtures/multiscale_default_boundaries.json';
import fortyChannels from './fixtures/multiscale_forty_channels.json';
import thresholdFixtures from './fixtures/multiscale_thresholds.json';
import {levelThresholds} from '../src/multi_scale_levels';
import {checkClose, cpuPathName, cpuWasmChoices, describeEachBackend, expectTensorClose, expectThrowsCleanly, randomValues, seededRandom, values, withCpuWasm} from './harness';
import {numericGradient, refRoiAlign, refRoiAlignWinners} from './reference';

interface FixtureTensor {
  shape: number[];
  data: number[];
}

interface MultiScaleFixture {
  name: string;
  source: string;
  attrs: {
    outputSize: number[],
    imageSize: number[],
    samplingRatio: number,
    canonicalScale: number,
    canonicalLevel: number,
  };
  x: FixtureTensor[];
  boxes: FixtureTensor;
  boxIndices: number[];
  /** null: no level (a negative area) */
  levels: Array<number|null>;
  dy: FixtureTensor;
  y: FixtureTensor;
  dx: FixtureTensor[];
}

const fixtures = [
  fourLevels, defaultCanonical, oneLevel, ceilSizes, levelBoundaries, defaultBoundaries, fortyChannels
] as MultiScaleFixture[];

/** Fixtures with boxes an ulp around the level boundaries, where the float64 formula decides otherwise. */
const nearBoundaries = new Set([levelBoundaries.name, defaultBoundaries.name]);

/**
 * The level index of each box by the library's thresholds: the float32 area
 * (torchvision's box_area, rounded as it rounds) against them; null for a
 * negative area with several levels.
 */
function thresholdLevels(boxes: ArrayLike<number>, thresholds: number[]): Array<number|null> {
  const f = Math.fround;
  return Array.from({length: boxes.length / 4}, (_, k) => {
    const area = f(f(boxes[4 * k + 2] - boxes[4 * k]) * f(boxes[4 * k + 3] - boxes[4 * k + 1]));
    if (thresholds.length > 0 && area < 0) return null;
    return thresholds.filter(t => area >= t).length;
  });
}

interface RefLevel {
  /** NHWC values */
  x: ArrayLike<number>;
  /** [N,H,W,C] */
  shape: number[];
}

interface RefMultiScaleOptions {
  outH: number;
  outW: number;
  imageHeight: number;
  samplingRatio: number;
  canonicalScale: number;
  canonicalLevel: number;
  aligned: boolean;
  mode: 'avg'|'max';
}

/** The exponent of each level's scale, 2^round(log2(H / imageHeight)), in float64. */
function refScaleExponents(levels: RefLevel[], imageHeight: number): number[] {
  return levels.map(l => Math.round(Math.log2(l.shape[1] / imageHeight)));
}

/** The FPN level of box k before clamping, in float64: NaN for a negative area. */
function refFormulaLevel(
    boxes: ArrayLike<number>, k: number, o: {canonicalScale: number, canonicalLevel: number}): number {
  const [x1, y1, x2, y2] = [0, 1, 2, 3].map(i => boxes[4 * k + i]);
  const area = (x2 - x1) * (y2 - y1);
  return Math.floor(o.canonicalLevel + Math.log2(Math.sqrt(area) / o.canonicalScale) + 1e-6);
}

/**
 * The index into the levels of box k by the FPN formula in float64, or null
 * when its area is negative or NaN (no level; torchvision's level is NaN).
 * One level takes every box.
 */
function refLevelIndex(
    boxes: ArrayLike<number>, k: number, exponents: number[],
    o: {canonicalScale: number, canonicalLevel: number}): number|null {
  if (exponents.length === 1) return 0;
  const level = refFormulaLevel(boxes, k, o);
  if (Number.isNaN(level)) return null;
  const first = -exponents[0], last = -exponents[exponents.length - 1];
  return Math.min(Math.max(level, first), last) - first;
}

/** multiScaleRoiAlign in float64: each box through refRoiAlign at its level. [K,outH,outW,C] flat. */
function refMultiScale(
    levels: RefLevel[], boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    o: RefMultiScaleOptions): Float64Array {
  const exponents = refScaleExponents(levels, o.imageHeight);
  const C = levels[0].shape[3];
  const perBox = o.outH * o.outW * C;
  const out = new Float64Array(boxIndices.length * perBox);
  for (let k = 0; k < boxIndices.length; k++) {
    const level = refLevelIndex(boxes, k, exponents, o);
    if (level === null) continue;
    const pooled = refRoiAlign(
        {
          x: levels[level].x,
          shape: levels[level].shape,
          boxes: Array.from(boxes).slice(4 * k, 4 * k + 4),
          boxIndices: [boxIndices[k]]
        },
        {
          outH: o.outH,
          outW: o.outW,
          spatialScale: 2 ** exponents[level],
          samplingRatio: o.samplingRatio,
          aligned: o.aligned,
          mode: o.mode
        });
    out.set(pooled, k * perBox);
  }
  return out;
}

function tensorOf(t: FixtureTensor): tf.Tensor {
  return tf.tensor(t.data, t.shape, 'float32');
}

function optionsOf(f: MultiScaleFixture): MultiScaleRoIAlignOptions {
  return {
    imageSize: f.attrs.imageSize as [number, number],
    samplingRatio: f.attrs.samplingRatio,
    canonicalScale: f.attrs.canonicalScale,
    canonicalLevel: f.attrs.canonicalLevel,
  };
}

interface RandomCase {
  title: string;
  imageSize: [number, number];
  /** the exponent of the finest level's scale: level maps are ceil(image / 2^firstLevel) */
  firstLevel: number;
  numLevels: number;
  batch: number;
  channels: number;
  numBoxes: number;
  outH: number;
  outW: number;
  seed: number;
  options: Omit<MultiScaleRoIAlignOptions, 'imageSize'>;
}

/**
 * Level maps, and boxes whose sqrt(area) spans from below the first level to
 * past the last (so both clamps occur), images in shuffled order.
 */
function randomCase(c: RandomCase) {
  const random = seededRandom(c.seed);
  const [imageH, imageW] = c.imageSize;
  const levels: RefLevel[] = [];
  for (let i = 0; i < c.numLevels; i++) {
    const stride = 2 ** (c.firstLevel + i);
    const shape = [c.batch, Math.ceil(imageH / stride), Math.ceil(imageW / stride), c.channels];
    levels.push({x: randomValues(random, shape.reduce((a, b) => a * b)), shape});
  }
  const canonicalScale = c.options.canonicalScale ?? 224, canonicalLevel = c.options.canonicalLevel ?? 4;
  const smallest = Math.log(canonicalScale * 2 ** (c.firstLevel - canonicalLevel - 1.5));
  const largest = Math.log(canonicalScale * 2 ** (c.firstLevel + c.numLevels - canonicalLevel + 0.5));
  const boxes = new Float32Array(4 * c.numBoxes);
  const boxIndices = new Int32Array(c.numBoxes);
  for (let k = 0; k < c.numBoxes; k++) {
    const side = Math.exp(smallest + random() * (largest - smallest));
    const aspect = Math.exp((random() - 0.5) * 1.2);
    const w = side * aspect, h = side / aspect;
    const x1 = -0.2 * imageW + random() * 1.2 * imageW - w / 2;
    const y1 = -0.2 * imageH + random() * 1.2 * imageH - h / 2;
    boxes.set([x1, y1, x1 + w, y1 + h], 4 * k);
    boxIndices[k] = Math.floor(random() * c.batch);
  }
  const dy = randomValues(random, c.numBoxes * c.outH * c.outW * c.channels);
  const refOptions: RefMultiScaleOptions = {
    outH: c.outH,
    outW: c.outW,
    imageHeight: imageH,
    samplingRatio: c.options.samplingRatio ?? 0,
    canonicalScale,
    canonicalLevel,
    aligned: c.options.aligned ?? false,
    mode: c.options.mode ?? 'avg',
  };
  return {levels, boxes, boxIndices, dy, refOptions};
}

const randomCases: RandomCase[] = [
  {
    title: 'three levels, canonicalScale 16, avg, samplingRatio 2',
    imageSize: [40, 48], firstLevel: 2, numLevels: 3, batch: 2, channels: 2, numBoxes: 8, outH: 2, outW: 3,
    seed: 31, options: {samplingRatio: 2, canonicalScale: 16, canonicalLevel: 3},
  },
  {
    title: 'four levels, torchvision defaults, aligned max, adaptive sampling',
    imageSize: [200, 256], firstLevel: 3, numLevels: 4, batch: 1, channels: 2, numBoxes: 8, outH: 2, outW: 2,
    seed: 35, options: {aligned: true, mode: 'max'},
  },
  {
    // C % 4 == 0: webgpu's 'max' forward takes four channels per invocation.
    title: 'three levels, max, eight channels, samplingRatio 2',
    imageSize: [40, 48], firstLevel: 2, numLevels: 3, batch: 2, channels: 8, numBoxes: 8, outH: 2, outW: 3,
    seed: 31, options: {samplingRatio: 2, canonicalScale: 16, canonicalLevel: 3, mode: 'max'},
  },
];

/**
 * 'max' mode's winners of multiScaleRoiAlign in float64: each box's
 * refRoiAlignWinners at its level, -1 for a box without one; margin as
 * there, over every box.
 */
function refMultiScaleWinners(
    levels: RefLevel[], boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    o: RefMultiScaleOptions): {winners: Int32Array, margin: number} {
  const exponents = refScaleExponents(levels, o.imageHeight);
  const perBox = o.outH * o.outW * levels[0].shape[3];
  const winners = new Int32Array(boxIndices.length * perBox).fill(-1);
  let margin = Infinity;
  for (let k = 0; k < boxIndices.length; k++) {
    const level = refLevelIndex(boxes, k, exponents, o);
    if (level === null) continue;
    const box = {
      x: levels[level].x, shape: levels[level].shape, boxes: Array.from(boxes).slice(4 * k, 4 * k + 4),
      boxIndices: [boxIndices[k]]
    };
    const found = refRoiAlignWinners(
        box, {...o, spatialScale: 2 ** exponents[level], samplingRatio: o.samplingRatio, mode: 'max'});
    winners.set(found.winners, k * perBox);
    margin = Math.min(margin, found.margin);
  }
  return {winners, margin};
}

/** The level maps as tensors in `dataFormat`. */
function levelTensors(levels: RefLevel[], dataFormat: 'NHWC'|'NCHW' = 'NHWC'): tf.Tensor4D[] {
  return levels.map(l => {
    const x = tf.tensor4d(Float32Array.from(l.x), l.shape as [number, number, number, number]);
    return dataFormat === 'NHWC' ? x : tf.tidy(() => tf.transpose(x, [0, 3, 1, 2]));
  });
}

/** The MultiScaleRoIAlign kernel's attributes of a random case, in 'max' mode. */
function kernelAttrs(c: RandomCase, levels: RefLevel[], refOptions: RefMultiScaleOptions): MultiScaleRoIAlignAttrs {
  const exponents = refScaleExponents(levels, c.imageSize[0]);
  const {canonicalScale, canonicalLevel} = refOptions;
  return {
    pooledHeight: c.outH, pooledWidth: c.outW, spatialScales: exponents.map(e => 2 ** e),
    levelThresholds: levelThresholds(-exponents[0], levels.length, canonicalScale, canonicalLevel),
    samplingRatio: refOptions.samplingRatio, aligned: refOptions.aligned, mode: 'max'
  };
}

/**
 * refMultiScaleWinners of each (box, channel) on its own, with its margin:
 * in a large case the least margin over every bin is below float32's
 * rounding, so winners are compared where their own margin is not.
 */
function refWinnersPerBoxChannel(
    levels: RefLevel[], boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    o: RefMultiScaleOptions): Array<{box: number, channel: number, winners: Int32Array, margin: number}> {
  const C = levels[0].shape[3];
  const channelLevels = Array.from({length: C}, (_, ch) => levels.map(l => ({
    x: Array.from({length: l.x.length / C}, (_, i) => l.x[i * C + ch]), shape: [...l.shape.slice(0, 3), 1],
  })));
  const found = [];
  for (let k = 0; k < boxIndices.length; k++) {
    for (let ch = 0; ch < C; ch++) {
      const box = Array.from(boxes).slice(4 * k, 4 * k + 4);
      found.push({box: k, channel: ch, ...refMultiScaleWinners(channelLevels[ch], box, [boxIndices[k]], o)});
    }
  }
  return found;
}

/**
 * 'max' cases for the winners (MultiScaleRoIAlignWinners): randomCases[1]
 * (C = 2, adaptive sampling, aligned) and [2] (C = 8: webgpu's four
 * channels per invocation), each with two more boxes, one of negative area
 * (no level) and one with no image, whose bins are all -1. The seeds are
 * ones whose reference margin exceeds 2e-3 (see refRoiAlignWinners).
 */
const winnerCases = [randomCases[1], {...randomCases[2], numBoxes: 6, seed: 65}].map(base => {
  const c: RandomCase = {...base, numBoxes: base.numBoxes + 2};
  const {levels, boxes, boxIndices, dy, refOptions} = randomCase(c);
  const [x1, y1, x2, y2] = boxes.slice(0, 4);
  boxes.set([x2, y1, x1, y2], 4 * (c.numBoxes - 2));
  boxIndices[c.numBoxes - 1] = c.batch;
  const attrs = kernelAttrs(c, levels, refOptions);
  const ref = (moved: {levels?: RefLevel[], boxes?: ArrayLike<number>}) =>
      refMultiScale(moved.levels ?? levels, moved.boxes ?? boxes, boxIndices, refOptions);
  return {
    c, levels, boxes, boxIndices, dy, attrs, options: {...c.options, imageSize: c.imageSize},
    ...refMultiScaleWinners(levels, boxes, boxIndices, refOptions),
    dxs: levels.map((level, i) => numericGradient(level.x, dy, 1e-3, moved => ref({
      levels: levels.map((l, j) => j === i ? {x: moved, shape: l.shape} : l)
    }))),
    dboxes: numericGradient(boxes, dy, 1e-5, moved => ref({boxes: moved})),
  };
});

describeEachBackend('multiScaleRoiAlign', backend => {
  describe('torchvision MultiScaleRoIAlign fixtures', () => {
    for (const f of fixtures) {
      it(`${f.name} (${f.source})`, async () => {
        const xs = f.x.map(tensorOf) as tf.Tensor4D[];
        const boxes = tensorOf(f.boxes) as tf.Tensor2D, dy = tensorOf(f.dy);
        const indices = tf.tensor1d(f.boxIndices, 'int32');
        const size = f.attrs.outputSize as [number, number];
        const exponents = refScaleExponents(f.x.map(x => ({x: [], shape: x.shape})), f.attrs.imageSize[0]);
        if (!nearBoundaries.has(f.name)) {
          // The float64 level of this file agrees with torchvision's on every box away from the boundaries.
          expect(f.boxIndices.map((_, k) => refLevelIndex(f.boxes.data, k, exponents, f.attrs))).toEqual(f.levels);
        }
        // The library's thresholds give torchvision's level for every box, on the boundaries too.
        const thresholds = levelThresholds(-exponents[0], f.x.length, f.attrs.canonicalScale, f.attrs.canonicalLevel);
        expect(thresholdLevels(f.boxes.data, thresholds)).toEqual(f.levels);

        const run = (...levels: tf.Tensor[]) =>
            multiScaleRoiAlign(levels as tf.Tensor4D[], boxes, indices, size, optionsOf(f));
        const y = run(...xs);
        await expectTensorClose(y, f.y.shape, f.y.data, `${f.name} y`);
        const dxs = tf.grads(run)(xs, dy);
        for (let i = 0; i < xs.length; i++) {
          await expectTensorClose(dxs[i], f.dx[i].shape, f.dx[i].data, `${f.name} dx[${i}]`);
        }
        tf.dispose([...xs, boxes, dy, indices, y, ...dxs]);
      });
    }
  });

  it('level thresholds: torchvision\'s least float32 area of each level, for ten configurations', () => {
    for (const c of thresholdFixtures.configs) {
      expect([c, levelThresholds(c.firstLevel, c.numLevels, c.canonicalScale, c.canonicalLevel)])
          .toEqual([c, c.thresholds]);
    }
  });

  describe('C = 40, a batch of 2 on every level: y, dx and dboxes', () => {
    const f = fortyChannels as MultiScaleFixture;
    for (const wasm of cpuWasmChoices(backend)) {
      it(`against torchvision and the float64 box gradient${cpuPathName(wasm)}`, () => withCpuWasm(wasm, async () => {
        const xs = f.x.map(tensorOf) as tf.Tensor4D[];
        const boxes = tensorOf(f.boxes) as tf.Tensor2D, dy = tensorOf(f.dy);
        const indices = tf.tensor1d(f.boxIndices, 'int32');
        const size = f.attrs.outputSize as [number, number];
        const run = (...args: tf.Tensor[]) => multiScaleRoiAlign(
            args.slice(0, -1) as tf.Tensor4D[], args[args.length - 1] as tf.Tensor2D, indices, size, optionsOf(f));
        const y = run(...xs, boxes);
        await expectTensorClose(y, f.y.shape, f.y.data, 'y');
        const grads = tf.grads(run)([...xs, boxes], dy);
        for (let i = 0; i < xs.length; i++) {
          await expectTensorClose(grads[i], f.dx[i].shape, f.dx[i].data, `dx[${i}]`);
        }
        const levels: RefLevel[] = f.x.map(x => ({x: x.data, shape: x.shape}));
        const refOptions: RefMultiScaleOptions = {
          outH: size[0], outW: size[1], imageHeight: f.attrs.imageSize[0], samplingRatio: f.attrs.samplingRatio,
          canonicalScale: f.attrs.canonicalScale, canonicalLevel: f.attrs.canonicalLevel, aligned: false,
          mode: 'avg'
        };
        const expectedBoxes = numericGradient(
            f.boxes.data, f.dy.data, 1e-4, moved => refMultiScale(levels, moved, f.boxIndices, refOptions));
        checkClose(await values(grads[xs.length]), expectedBoxes, 'dboxes');
        tf.dispose([...xs, boxes, dy, indices, y, ...grads]);
      }));
    }
  });

  it('runs as one MultiScaleRoIAlign kernel forward, and is deterministic forward and backward', async () => {
    const f = levelBoundaries as MultiScaleFixture;
    const xs = f.x.map(tensorOf) as tf.Tensor4D[];
    const boxes = tensorOf(f.boxes) as tf.Tensor2D, dy = tensorOf(f.dy);
    const indices = tf.tensor1d(f.boxIndices, 'int32');
    const size = f.attrs.outputSize as [number, number];
    const run = (...args: tf.Tensor[]) => multiScaleRoiAlign(
        args.slice(0, -1) as tf.Tensor4D[], args[args.length - 1] as tf.Tensor2D, indices, size, optionsOf(f));
    {
      const profile = await tf.profile(() => run(...xs, boxes));
      const kernels = profile.kernels.map(k => k.name);
      expect(kernels).toContain('MultiScaleRoIAlign');
      expect(kernels).not.toContain('RoIAlign');
      expect(kernels).not.toContain('AddN');
      tf.dispose(profile.result as tf.Tensor);
    }
    const once = async () => {
      const y = run(...xs, boxes);
      const grads = tf.grads(run)([...xs, boxes], dy);
      const all = [await values(y), ...await Promise.all(grads.map(values))];
      tf.dispose([y, ...grads]);
      return all;
    };
    const first = await once(), second = await once();
    second.forEach((v, i) => checkClose(v, first[i], `output ${i}, run to run`, {atol: 0, rtol: 0}));
    tf.dispose([...xs, boxes, dy, indices]);
  });

  describe('random inputs against the float64 reference', () => {
    for (const c of randomCases) {
      it(`${c.title}: y, and in NCHW with [K,5] boxes`, async () => {
        const {levels, boxes, boxIndices, refOptions} = randomCase(c);
        const expected = refMultiScale(levels, boxes, boxIndices, refOptions);
        const exponents = refScaleExponents(levels, c.imageSize[0]);
        const used = new Set(Array.from(boxIndices, (_, k) => refLevelIndex(boxes, k, exponents, refOptions)));
        const formula = Array.from(boxIndices, (_, k) => refFormulaLevel(boxes, k, refOptions));
        // The boxes reach every level, and both clamps occur.
        expect(used.size).toBe(c.numLevels);
        expect(Math.min(...formula)).toBeLessThan(c.firstLevel);
        expect(Math.max(...formula)).toBeGreaterThan(c.firstLevel + c.numLevels - 1);

        const options = {...c.options, imageSize: c.imageSize};
        const xs = levelTensors(levels);
        const y = multiScaleRoiAlign(xs, tf.tensor2d(boxes, [c.numBoxes, 4]), boxIndices, [c.outH, c.outW], options);
        await expectTensorClose(y, [c.numBoxes, c.outH, c.outW, c.channels], expected, 'y');

        const xsNCHW = levelTensors(levels, 'NCHW');
        const rois = tf.tensor2d(Array.from(boxIndices, (n, k) => [n, ...boxes.slice(4 * k, 4 * k + 4)]));
        const yNCHW = multiScaleRoiAlign(xsNCHW, rois, null, [c.outH, c.outW], {...options, dataFormat: 'NCHW'});
        expect(yNCHW.shape).toEqual([c.numBoxes, c.channels, c.outH, c.outW]);
        const yBack = tf.transpose(yNCHW, [0, 2, 3, 1]);
        checkClose(await values(yBack), expected, 'y (NCHW, [K,5] boxes)');
        tf.dispose([...xs, ...xsNCHW, rois, y, yNCHW, yBack]);
      });
    }

    it('gradients w.r.t. every level and the boxes, against central differences', async () => {
      const c = randomCases[0];
      const {levels, boxes, boxIndices, dy, refOptions} = randomCase(c);
      const xs = levelTensors(levels);
      const bt = tf.tensor2d(boxes, [c.numBoxes, 4]);
      const it = tf.tensor1d(boxIndices, 'int32');
      const dyt = tf.tensor4d(dy, [c.numBoxes, c.outH, c.outW, c.channels]);
      const options = {...c.options, imageSize: c.imageSize};
      const grads = tf.grads((...args: tf.Tensor[]) => multiScaleRoiAlign(
          args.slice(0, -1) as tf.Tensor4D[], args[args.length - 1] as tf.Tensor2D, it, [c.outH, c.outW],
          options))([...xs, bt], dyt);
      for (let i = 0; i < levels.length; i++) {
        const expected = numericGradient(levels[i].x, dy, 1e-3, moved => refMultiScale(
            levels.map((l, j) => j === i ? {x: moved, shape: l.shape} : l), boxes, boxIndices, refOptions));
        checkClose(await values(grads[i]), expected, `dx[${i}]`);
      }
      // The level of a box is piecewise constant: the box gradient is that of RoIAlign at its level.
      const expectedBoxes = numericGradient(
          boxes, dy, 1e-5, moved => refMultiScale(levels, moved, boxIndices, refOptions));
      checkClose(await values(grads[levels.length]), expectedBoxes, 'dboxes');
      tf.dispose([...xs, bt, it, dyt, ...grads]);
    });

    it('more levels than one kernel takes: one RoIAlign per level, y and dx against the reference', async () => {
      const c: RandomCase = {
        title: 'six levels', imageSize: [64, 64], firstLevel: 1, numLevels: 6, batch: 1, channels: 2, numBoxes: 12,
        outH: 2, outW: 2, seed: 43, options: {samplingRatio: 2, canonicalScale: 8, canonicalLevel: 3},
      };
      const {levels, boxes, boxIndices, dy, refOptions} = randomCase(c);
      const xs = levelTensors(levels);
      const bt = tf.tensor2d(boxes, [c.numBoxes, 4]);
      const dyt = tf.tensor4d(dy, [c.numBoxes, c.outH, c.outW, c.channels]);
      const options = {...c.options, imageSize: c.imageSize};
      const run = (...args: tf.Tensor[]) =>
          multiScaleRoiAlign(args as tf.Tensor4D[], bt, boxIndices, [c.outH, c.outW], options);
      const profile = await tf.profile(() => run(...xs));
      expect(profile.kernels.map(k => k.name)).not.toContain('MultiScaleRoIAlign');
      await expectTensorClose(profile.result as tf.Tensor, [c.numBoxes, c.outH, c.outW, c.channels],
                              refMultiScale(levels, boxes, boxIndices, refOptions), 'y');
      const grads = tf.grads(run)(xs, dyt);
      const expected = numericGradient(levels[1].x, dy, 1e-3, moved => refMultiScale(
          levels.map((l, j) => j === 1 ? {x: moved, shape: l.shape} : l), boxes, boxIndices, refOptions));
      checkClose(await values(grads[1]), expected, 'dx[1]');
      tf.dispose([...xs, bt, dyt, profile.result as tf.Tensor, ...grads]);
    });

    it('\'max\' mode: gradients w.r.t. every level, against central differences', async () => {
      const c = randomCases[1];
      const {levels, boxes, boxIndices, dy, refOptions} = randomCase(c);
      const xs = levelTensors(levels);
      const bt = tf.tensor2d(boxes, [c.numBoxes, 4]);
      const dyt = tf.tensor4d(dy, [c.numBoxes, c.outH, c.outW, c.channels]);
      const options = {...c.options, imageSize: c.imageSize};
      const grads = tf.grads((...args: tf.Tensor[]) => multiScaleRoiAlign(
          args as tf.Tensor4D[], bt, boxIndices, [c.outH, c.outW], options))(xs, dyt);
      for (let i = 0; i < levels.length; i++) {
        const expected = numericGradient(levels[i].x, dy, 1e-3, moved => refMultiScale(
            levels.map((l, j) => j === i ? {x: moved, shape: l.shape} : l), boxes, boxIndices, refOptions));
        // Each level gets the gradient of its own boxes; with these boxes every level has some.
        expect(Array.from(expected).some(v => v !== 0)).toBe(true);
        checkClose(await values(grads[i]), expected, `dx[${i}]`);
      }
      tf.dispose([...xs, bt, dyt, ...grads]);
    });

    it('a box of negative area has no level and pools 0; no boxes give an empty result', async () => {
      const c = randomCases[0];
      const {levels, refOptions} = randomCase(c);
      const xs = levelTensors(levels);
      const inverted = [[30, 4, 10, 20], [4, 4, 20, 20]];
      const options = {...c.options, imageSize: c.imageSize};
      const y = multiScaleRoiAlign(xs, inverted, [0, 1], 2, options);
      const expected = refMultiScale(levels, inverted.flat(), [0, 1], {...refOptions, outH: 2, outW: 2});
      expect(Array.from(expected.slice(0, 4 * c.channels)).every(v => v === 0)).toBe(true);
      await expectTensorClose(y, [2, 2, 2, c.channels], expected, 'y');
      const empty = multiScaleRoiAlign(xs, tf.zeros([0, 4]) as tf.Tensor2D, tf.zeros([0], 'int32'), 2, options);
      expect(empty.shape).toEqual([0, 2, 2, c.channels]);
      expect((await values(empty)).length).toBe(0);
      tf.dispose([...xs, y, empty]);
    });
    it('C = 45, an odd output width, 120 boxes over four levels and two images: y in both modes and the winners', async () => {
      // On webgl y and the winners are written four to a texel (two bins by
      // two channels): odd C and an odd width leave half-empty texels.
      const c: RandomCase = {
        title: 'four levels, C = 45', imageSize: [128, 160], firstLevel: 2, numLevels: 4, batch: 2, channels: 45,
        numBoxes: 120, outH: 3, outW: 5, seed: 47, options: {samplingRatio: 2, canonicalScale: 16, canonicalLevel: 3},
      };
      const {levels, boxes, boxIndices, refOptions} = randomCase(c);
      // Every sample inside every level and off its last row and column, where
      // samples clamp onto one pixel and tie exactly: so most (box, channel)
      // pairs have a margin that float32 cannot cross (see below).
      const [imageH, imageW] = c.imageSize;
      for (let k = 0; k < c.numBoxes; k++) {
        const [x1, y1, x2, y2] = boxes.slice(4 * k, 4 * k + 4);
        const w = Math.min(x2 - x1, 0.75 * imageW), h = Math.min(y2 - y1, 0.7 * imageH);
        const left = Math.min(Math.max(x1, 0), 0.75 * imageW - w), top = Math.min(Math.max(y1, 0), 0.7 * imageH - h);
        boxes.set([left, top, left + w, top + h], 4 * k);
      }
      // Unreadable boxes: an image past the batch, a NaN corner.
      boxIndices[7] = c.batch;
      boxes[4 * 9] = NaN;
      const exponents = refScaleExponents(levels, c.imageSize[0]);
      const used = new Set(Array.from(boxIndices, (_, k) => refLevelIndex(boxes, k, exponents, refOptions)));
      expect(used.size).toBe(c.numLevels + 1);
      const xs = levelTensors(levels);
      const bt = tf.tensor2d(boxes, [c.numBoxes, 4]);
      const indices = tf.tensor1d(boxIndices, 'int32');
      const shape = [c.numBoxes, c.outH, c.outW, c.channels];
      for (const mode of ['avg', 'max'] as const) {
        const y = multiScaleRoiAlign(xs, bt, indices, [c.outH, c.outW], {...c.options, mode, imageSize: c.imageSize});
        const expected = refMultiScale(levels, boxes, boxIndices, {...refOptions, mode});
        await expectTensorClose(y, shape, expected, `y, ${mode}`);
        // As a later op reads it.
        const shifted = tf.add(y, 1);
        checkClose(await values(shifted), expected.map(v => v + 1), `y + 1, ${mode}`, {atol: 1e-5, rtol: 1e-5});
        tf.dispose([y, shifted]);
      }
      const list = [bt, indices, ...xs] as unknown as tf.NamedTensorMap;
      const winners = tf.engine().runKernel(MultiScaleRoIAlignWinners, list, kernelAttrs(c, levels, refOptions)) as tf.Tensor;
      expect(winners.shape).toEqual(shape);
      const found = await values(winners);
      let compared = 0;
      for (const ref of refWinnersPerBoxChannel(levels, boxes, boxIndices, refOptions)) {
        // Indices: equal, not close, where no float32 rounding can reorder the samples.
        if (!(ref.margin > 1e-4)) continue;
        compared++;
        const perBox = c.outH * c.outW;
        const actual = Array.from({length: perBox}, (_, b) => found[(ref.box * perBox + b) * c.channels + ref.channel]);
        expect(actual).toEqual(Array.from(ref.winners));
      }
      expect(compared).toBeGreaterThan(0.9 * c.numBoxes * c.channels);
      tf.dispose([...xs, bt, indices, winners]);
    });
  });

  describe('\'max\': the winners found once per step (MultiScaleRoIAlignWinners)', () => {
    winnerCases.forEach(e => {
      const {c} = e;
      const title = `${c.numLevels} levels, C = ${c.channels}`;
      const tensors = () => ({
        xs: levelTensors(e.levels),
        boxes: tf.tensor2d(e.boxes, [c.numBoxes, 4]),
        boxIndices: tf.tensor1d(e.boxIndices, 'int32'),
        dy: tf.tensor4d(e.dy, [c.numBoxes, c.outH, c.outW, c.channels]),
      });

      it(`the kernel gives each box's reference argmax at its level, ${title}`, async () => {
        // No ties, and no winner that the finite differences could flip.
        expect(e.margin).toBeGreaterThan(2e-3);
        expect(e.winners.some(w => w < 0)).toBe(true);
        const {xs, boxes, boxIndices, dy} = tensors();
        const list = [boxes, boxIndices, ...xs] as unknown as tf.NamedTensorMap;
        const winners = tf.engine().runKernel(MultiScaleRoIAlignWinners, list, {...e.attrs}) as tf.Tensor;
        expect(winners.dtype).toBe('int32');
        expect(winners.shape).toEqual([c.numBoxes, c.outH, c.outW, c.channels]);
        // Indices: equal, not close.
        expect(Array.from(await values(winners))).toEqual(Array.from(e.winners));
        // What attrs.mode says does not matter.
        const again = tf.engine().runKernel(MultiScaleRoIAlignWinners, list, {...e.attrs, mode: 'avg'}) as tf.Tensor;
        expect(Array.from(await values(again))).toEqual(Array.from(e.winners));
        tf.dispose([...xs, boxes, boxIndices, dy, winners, again]);
      });

      it(`both gradient kernels give the same with the winners and without, and the reference, ${title}`,
         async () => {
           const {xs, boxes, boxIndices, dy} = tensors();
           const attrs = {...e.attrs};
           const list = [boxes, boxIndices, ...xs];
           const asInputs = (tensors: tf.Tensor[]) => tensors as unknown as tf.NamedTensorMap;
           const winners = tf.engine().runKernel(MultiScaleRoIAlignWinners, asInputs(list), attrs) as tf.Tensor;
           const results: Float32Array[][] = [];
           for (const given of [false, true]) {
             const label = given ? 'with winners' : 'without winners';
             const gradList = asInputs(given ? [...list, dy, winners] : [...list, dy]);
             const dxs = tf.engine().runKernel(MultiScaleRoIAlignGrad, gradList, attrs) as unknown as tf.Tensor[];
             const dboxes = tf.engine().runKernel(MultiScaleRoIAlignBoxGrad, gradList, attrs) as tf.Tensor;
             const all = await Promise.all([...dxs, dboxes].map(t => values(t) as Promise<Float32Array>));
             dxs.forEach((_, i) => checkClose(all[i], e.dxs[i], `dx[${i}] ${label}`));
             checkClose(all[dxs.length], e.dboxes, `dboxes ${label}`);
             results.push(all);
             tf.dispose([...dxs, dboxes]);
           }
           results[1].forEach((v, i) => checkClose(v, results[0][i], `output ${i} with winners`, {atol: 0, rtol: 0}));
           tf.dispose([...xs, boxes, boxIndices, dy, winners]);
         });

      it(`a training step runs the winners kernel once, leaks nothing, is deterministic, ${title}`, async () => {
        const {xs, boxes, boxIndices, dy} = tensors();
        const run = (...args: tf.Tensor[]) => multiScaleRoiAlign(
            args.slice(0, -1) as tf.Tensor4D[], args[args.length - 1] as tf.Tensor2D, boxIndices, [c.outH, c.outW],
            e.options);
        const before = tf.memory().numTensors;
        const buffersBefore = tf.engine().backend.numDataIds();
        const step = async () => {
          const grads = tf.grads(run)([...xs, boxes], dy);
          // The gradients and nothing else: the winners went with the step.
          expect(tf.memory().numTensors).toBe(before + grads.length);
          expect(tf.engine().backend.numDataIds()).toBe(buffersBefore + grads.length);
          const all = await Promise.all(grads.map(values));
          tf.dispose(grads);
          return all;
        };
        const first = await step(), second = await step();
        xs.forEach((_, i) => checkClose(first[i], e.dxs[i], `dx[${i}]`));
        checkClose(first[xs.length], e.dboxes, 'dboxes');
        second.forEach((v, i) => checkClose(v, first[i], `output ${i}, run to run`, {atol: 0, rtol: 0}));

        const profile = await tf.profile(() => tf.grads(run)([...xs, boxes], dy));
        const count = (name: string) => profile.kernels.filter(k => k.name === name).length;
        expect([MultiScaleRoIAlignWinners, MultiScaleRoIAlignGrad, MultiScaleRoIAlignBoxGrad].map(count))
            .toEqual([1, 1, 1]);
        tf.dispose(profile.result as tf.Tensor[]);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([...xs, boxes, boxIndices, dy]);
      });
    });
  });

  describe('the layer', () => {
    const B = 2, R = 3, C = 2, imageSize: [number, number] = [32, 32];
    const boxData = [
      [[1, 2, 9, 8], [4, 4, 28, 30], [0, 10, 31, 14]],
      [[10, 10, 14, 15], [-4, -2, 36, 30], [16, 3, 30, 20]],
    ];
    const config = {outputSize: [2, 3] as [number, number], imageSize, samplingRatio: 2, canonicalScale: 16, canonicalLevel: 3};
    let levels: RefLevel[], xs: tf.Tensor4D[], boxes: tf.Tensor3D;
    beforeAll(() => {
      const random = seededRandom(41);
      levels = [[B, 8, 8, C], [B, 4, 4, C]].map(shape => ({x: randomValues(random, shape.reduce((a, b) => a * b)), shape}));
      xs = levelTensors(levels);
      boxes = tf.tensor3d(boxData);
    });
    afterAll(() => tf.dispose([...xs, boxes]));

    it('[level features..., boxes [B,R,4]] -> [B,R,outH,outW,C], each image pooling its own boxes', async () => {
      const layer = layers.multiScaleRoiAlign(config);
      const y = layer.apply([...xs, boxes]) as tf.Tensor;
      const expected = refMultiScale(levels, boxData.flat(2), [0, 0, 0, 1, 1, 1], {
        outH: 2, outW: 3, imageHeight: 32, samplingRatio: 2, canonicalScale: 16, canonicalLevel: 3,
        aligned: false, mode: 'avg'
      });
      await expectTensorClose(y, [B, R, 2, 3, C], expected, 'y');
      tf.dispose(y);
    });

    it('computes its output shape with an unknown batch size', () => {
      const inputs = [tf.input({shape: [8, 8, C]}), tf.input({shape: [4, 4, C]}), tf.input({shape: [R, 4]})];
      const out = layers.multiScaleRoiAlign(config).apply(inputs) as tf.SymbolicTensor;
      expect(out.shape).toEqual([null, R, 2, 3, C]);
      const inputsNCHW = [tf.input({shape: [C, 8, 8]}), tf.input({shape: [C, 4, 4]}), tf.input({shape: [R, 4]})];
      const outNCHW = layers.multiScaleRoiAlign({...config, dataFormat: 'NCHW'}).apply(inputsNCHW) as tf.SymbolicTensor;
      expect(outNCHW.shape).toEqual([null, R, C, 2, 3]);
    });

    it('round-trips through model.save and tf.loadLayersModel with identical predictions', async () => {
      const image = tf.input({shape: [8, 8, C]});
      const proposals = tf.input({shape: [R, 4]});
      const p2 = tf.layers.conv2d({filters: 2, kernelSize: 3, padding: 'same'}).apply(image) as tf.SymbolicTensor;
      const p3 = tf.layers.averagePooling2d({poolSize: 2}).apply(p2) as tf.SymbolicTensor;
      const pooled = layers.multiScaleRoiAlign(config).apply([p2, p3, proposals]) as tf.SymbolicTensor;
      const model = tf.model({inputs: [image, proposals], outputs: pooled});
      let saved: tf.io.ModelArtifacts|null = null;
      await model.save(tf.io.withSaveHandler(async artifacts => {
        saved = artifacts;
        return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
      }));
      expect(JSON.stringify(saved!.modelTopology)).toContain('"class_name":"MultiScaleRoIAlign"');
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
      const before = model.predict([xs[0], boxes]) as tf.Tensor;
      const after = loaded.predict([xs[0], boxes]) as tf.Tensor;
      expect(after.shape).toEqual([B, R, 2, 3, C]);
      checkClose(await values(after), await values(before), 'prediction', {atol: 0, rtol: 0});
      tf.dispose([before, after]);
      model.layers.forEach(l => l.dispose());
      loaded.layers.forEach(l => l.dispose());
    });
  });

  describe('throws a clear Error naming the argument', () => {
    const options = {imageSize: [32, 32] as [number, number]};
    const level = (h: number, c = 2) => tf.zeros([1, h, h, c]) as tf.Tensor4D;
    const boxes = () => tf.tensor2d([[1, 1, 9, 9]]);
    // Called inside the test's tf.tidy, so the tensors are made on its backend and disposed.
    const call = (features: unknown, opts: unknown = options, b: unknown = boxes(), i: unknown = [0]) =>
        () => multiScaleRoiAlign(features as tf.Tensor4D[], b as tf.Tensor2D, i as number[], 2, opts as MultiScaleRoIAlignOptions);
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['empty features', () => call([])(), /multiScaleRoiAlign: features must be a non-empty array/],
      ['features not an array', () => call(level(8))(), /multiScaleRoiAlign: features must be a non-empty array/],
      ['mismatched channels', () => call([level(8), level(4, 3)])(), /multiScaleRoiAlign: features\[1\] is \[1,4,4,3\] and features\[0\] is \[1,8,8,2\].*channel/],
      ['mismatched batch', () => call([level(8), tf.zeros([2, 4, 4, 2])])(), /multiScaleRoiAlign: features\[1\].*same batch size/],
      ['a level not 4-D', () => call([level(8), tf.zeros([4, 4, 2])])(), /multiScaleRoiAlign: features\[1\] must be 4-D/],
      ['a level not float32', () => call([level(8), tf.zeros([1, 4, 4, 2], 'int32')])(), /multiScaleRoiAlign: features\[1\] must be float32, got int32/],
      ['coarsest level first', () => call([level(4), level(8)])(), /multiScaleRoiAlign: features\[1\] has height 8.*consecutive, finest first/],
      ['a level skipped', () => call([level(8), level(2)])(), /multiScaleRoiAlign: features\[1\] has height 2.*consecutive/],
      ['imageSize missing', () => call([level(8)], {})(), /multiScaleRoiAlign: imageSize must be \[height, width\]/],
      ['imageSize not positive', () => call([level(8)], {imageSize: [0, 32]})(), /multiScaleRoiAlign: imageSize\[0\] \(height\) must be a finite number > 0/],
      ['canonicalScale zero', () => call([level(8)], {...options, canonicalScale: 0})(), /multiScaleRoiAlign: canonicalScale must be a finite number > 0/],
      ['canonicalLevel NaN', () => call([level(8)], {...options, canonicalLevel: NaN})(), /multiScaleRoiAlign: canonicalLevel must be a finite number/],
      ['samplingRatio not an integer', () => call([level(8)], {...options, samplingRatio: 0.5})(), /multiScaleRoiAlign: samplingRatio must be an integer/],
      ['unknown option', () => call([level(8)], {...options, spatialScale: 0.25})(), /multiScaleRoiAlign: unknown option 'spatialScale'/],
      ['boxes not [K,4]', () => call([level(8)], options, tf.zeros([1, 3]))(), /multiScaleRoiAlign: boxes must be \[K,4\]/],
      ['boxIndices of the wrong length', () => call([level(8)], options, boxes(), [0, 0])(), /multiScaleRoiAlign: boxIndices must be \[K\] = \[1\]/],
      ['layer without imageSize', () => layers.multiScaleRoiAlign({outputSize: 2} as never), /MultiScaleRoIAlign layer: the layer config needs imageSize/],
    ];
    for (const [name, fn, pattern] of cases) {
      it(name, () => expectThrowsCleanly(fn, pattern));
    }
  });

  it('leaks no tensor: forward and backward, both layouts and box forms', async () => {
    const c = randomCases[0];
    const {levels, boxes, boxIndices, dy} = randomCase(c);
    const xs = levelTensors(levels), xsNCHW = levelTensors(levels, 'NCHW');
    const bt = tf.tensor2d(boxes, [c.numBoxes, 4]);
    const rois = tf.tensor2d(Array.from(boxIndices, (n, k) => [n, ...boxes.slice(4 * k, 4 * k + 4)]));
    const it = tf.tensor1d(boxIndices, 'int32');
    const dyt = tf.tensor4d(dy, [c.numBoxes, c.outH, c.outW, c.channels]);
    const options = {...c.options, imageSize: c.imageSize};
    const before = tf.memory().numTensors;
    const y = multiScaleRoiAlign(xs, bt, it, [c.outH, c.outW], options);
    const grads = tf.grads((...args: tf.Tensor[]) => multiScaleRoiAlign(
        args.slice(0, -1) as tf.Tensor4D[], args[args.length - 1] as tf.Tensor2D, null, [c.outH, c.outW],
        {...options, dataFormat: 'NCHW'}).transpose([0, 2, 3, 1]))([...xsNCHW, rois], dyt);
    await values(y);
    expect(tf.memory().numTensors).toBe(before + 1 + grads.length);
    tf.dispose([y, ...grads]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...xs, ...xsNCHW, bt, rois, it, dyt]);
  });
});
