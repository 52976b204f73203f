/**
 * MultiScaleRoIAlign over typed arrays, for the cpu kernels (and any backend
 * that runs JavaScript over its data). Each level is visited once with the
 * boxes of the other levels given batch index -1, which the RoIAlign
 * visitors skip before any geometry: so every box is sampled only at its own
 * level, the output is written once in box order, and a level without boxes
 * costs nothing.
 */
import type {MultiScaleRoIAlignAttrs, RoIAlignAttrs} from '../../src/kernel_names';
import {levelRoIAlignAttrs} from '../../src/kernel_names';
import type {AlignBoxSamples} from '../../src/geometry';
import {slopeAlongCols, slopeAlongRows} from './RoIAlignBoxGrad';
import {scatter} from './RoIAlignGrad';
import {winnersArray, winningSample, writeAlignWinners} from './RoIAlignWinners_impl';
import {alignGeometry, binMax, BinSample, visitAlignBins} from './roi_align_samples';
import {addBinBoxGrad, BinDots, pixelDots, scatterWeighted, toFloat32, visitAlignBinPixels, weightedSum, weightedSumChannels} from './roi_align_taps';
import {cpuWasmAllowed, simdChannelLoops} from './wasm_simd';

/** One level's values, NHWC, and its shape [N,H,W,C]. */
export interface LevelValues {
  values: Float32Array;
  shape: number[];
}

/**
 * The level index of each box by levelThresholds (see
 * MultiScaleRoIAlignAttrs): the float32 area compared with each threshold;
 * -1 (no level) for a negative or NaN area when there are several levels.
 */
export function boxLevels(boxes: ArrayLike<number>, numBoxes: number, thresholds: number[]): Int32Array {
  const levels = new Int32Array(numBoxes);
  if (thresholds.length === 0) return levels;
  const f = Math.fround;
  for (let k = 0; k < numBoxes; k++) {
    // torchvision's box_area, each step rounded to float32 as it rounds.
    const area = f(f(boxes[4 * k + 2] - boxes[4 * k]) * f(boxes[4 * k + 3] - boxes[4 * k + 1]));
    let level = area >= 0 ? 0 : -1;
    for (let t = 0; t < thresholds.length && level >= 0; t++) {
      if (area >= thresholds[t]) level = t + 1;
    }
    levels[k] = level;
  }
  return levels;
}

/** boxIndices with -1 for every box not at `level`, or null when no box is there. */
function indicesAtLevel(boxIndices: ArrayLike<number>, levels: Int32Array, level: number): Int32Array|null {
  const masked = new Int32Array(levels.length);
  let any = false;
  for (let k = 0; k < levels.length; k++) {
    const here = levels[k] === level;
    masked[k] = here ? boxIndices[k] : -1;
    any = any || here;
  }
  return any ? masked : null;
}

/** Calls run(l, attrs of l, boxIndices at l) for each level that has boxes. */
function forEachLevel(
    levels: LevelValues[], boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    attrs: MultiScaleRoIAlignAttrs,
    run: (l: number, attrs: RoIAlignAttrs, indices: Int32Array) => void): void {
  const level = boxLevels(boxes, boxIndices.length, attrs.levelThresholds);
  for (let l = 0; l < levels.length; l++) {
    const indices = indicesAtLevel(boxIndices, level, l);
    if (indices !== null) run(l, levelRoIAlignAttrs(attrs, l), indices);
  }
}

/** RoIAlign of the boxes with a readable index into `out` [K,outH,outW,C]; the others are left as they are. */
function roiAlignInto(
    x: LevelValues, boxes: ArrayLike<number>, indices: Int32Array, attrs: RoIAlignAttrs,
    out: Float32Array): void {
  const channels = x.shape[3];
  const acc = new Float64Array(channels);
  const g = alignGeometry(x.shape, attrs);
  if (attrs.mode === 'max') {
    const winner = new Int32Array(channels);
    visitAlignBins(g, channels, boxes, indices, ({binOffset, bin}) => {
      binMax(x.values, bin, channels, acc, winner);
      for (let c = 0; c < channels; c++) out[binOffset + c] = acc[c];
    });
    return;
  }
  const simd = cpuWasmAllowed() ? simdChannelLoops(x.values, channels, g.height * g.width) : null;
  visitAlignBinPixels(g, channels, boxes, indices, (_box, _k, binOffset, bin) => {
    if (simd === null) {
      weightedSum(x.values, bin, channels, acc, out, binOffset);
    } else {
      simd.weightedSum(bin.offset, bin.weight, bin.count, out, binOffset);
      weightedSumChannels(x.values, bin, simd.quadChannels, channels, out, binOffset);
    }
  });
}

/** y [K,outH,outW,C], flat. */
export function multiScaleRoiAlignImpl(
    levels: LevelValues[], boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    attrs: MultiScaleRoIAlignAttrs): Float32Array {
  const channels = levels[0].shape[3];
  const out = new Float32Array(boxIndices.length * attrs.pooledHeight * attrs.pooledWidth * channels);
  forEachLevel(levels, boxes, boxIndices, attrs, (l, levelAttrs, indices) => {
    roiAlignInto(levels[l], boxes, indices, levelAttrs, out);
  });
  return out;
}

/**
 * MultiScaleRoIAlignWinners' int32 [K,outH,outW,C], into `out` when given:
 * each box's RoIAlign winners at its level, -1 for a box without one.
 */
export function multiScaleRoiAlignWinnersImpl(
    levels: LevelValues[], boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    attrs: MultiScaleRoIAlignAttrs, out?: Int32Array): Int32Array {
  const winners =
      winnersArray(out, boxIndices.length * attrs.pooledHeight * attrs.pooledWidth * levels[0].shape[3]);
  forEachLevel(levels, boxes, boxIndices, attrs, (l, levelAttrs, indices) => {
    writeAlignWinners(
        {x: levels[l].values, xShape: levels[l].shape, boxes, boxIndices: indices}, levelAttrs, winners);
  });
  return winners;
}

/** The winners a 'max' gradient was given, or computed here for every level at once. */
function multiScaleWinners(
    given: Int32Array|undefined, levels: LevelValues[], boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    attrs: MultiScaleRoIAlignAttrs): Int32Array|null {
  if (attrs.mode !== 'max') return null;
  return given ?? multiScaleRoiAlignWinnersImpl(levels, boxes, boxIndices, attrs);
}

/** RoIAlign's dx for the boxes with a readable index; 'max' follows `winners`. */
function roiAlignGradOf(
    x: LevelValues, dy: Float32Array, boxes: ArrayLike<number>, indices: Int32Array,
    attrs: RoIAlignAttrs, winners: Int32Array|null): Float32Array {
  const channels = x.shape[3];
  const g = alignGeometry(x.shape, attrs);
  if (winners !== null) {
    const dx = new Float32Array(x.values.length);
    visitAlignBins(g, channels, boxes, indices, ({binOffset, bin}) => {
      for (let c = 0; c < channels; c++) {
        const s = winningSample(bin, winners[binOffset + c]);
        if (s !== null) scatter(dx, s, c, dy[binOffset + c]);
      }
    });
    return dx;
  }
  const simd = cpuWasmAllowed() ? simdChannelLoops(x.values.length, channels, g.height * g.width) : null;
  const dx = simd === null ? new Float32Array(x.values.length) : simd.values;
  const first = simd === null ? 0 : simd.quadChannels;
  visitAlignBinPixels(g, channels, boxes, indices, (_box, _k, binOffset, bin) => {
    simd?.scatterWeighted(bin.offset, bin.weight, bin.count, dy, binOffset);
    scatterWeighted(dx, bin, first, channels, dy, binOffset);
  });
  // The SIMD loops' memory is reused by the next level: copy out.
  return simd === null ? dx : dx.slice();
}

/**
 * dx of every level, flat, from one read of dy per box. 'max' reads
 * `winners` (MultiScaleRoIAlignWinners' output), or computes them.
 */
export function multiScaleRoiAlignGradImpl(
    levels: LevelValues[], dy: Float32Array, boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    attrs: MultiScaleRoIAlignAttrs, winners?: Int32Array): Float32Array[] {
  const dxs: Array<Float32Array|null> = levels.map(() => null);
  const maxWinners = multiScaleWinners(winners, levels, boxes, boxIndices, attrs);
  forEachLevel(levels, boxes, boxIndices, attrs, (l, levelAttrs, indices) => {
    dxs[l] = roiAlignGradOf(levels[l], dy, boxes, indices, levelAttrs, maxWinners);
  });
  return dxs.map((dx, l) => dx ?? new Float32Array(levels[l].values.length));
}

/** Adds to dboxes the box gradient of RoIAlign of the boxes with a readable index; 'max' follows `winners`. */
function addRoiAlignBoxGrad(
    x: LevelValues, dy: Float32Array, boxes: ArrayLike<number>, indices: Int32Array,
    attrs: RoIAlignAttrs, winners: Int32Array|null, dboxes: Float64Array): void {
  const channels = x.shape[3];
  const g = alignGeometry(x.shape, attrs);
  if (winners !== null) {
    const addSample = (box: AlignBoxSamples, k: number, s: BinSample, alongRows: number, alongCols: number) => {
      dboxes[4 * k] += alongCols * box.x.dStart[s.col];
      dboxes[4 * k + 1] += alongRows * box.y.dStart[s.row];
      dboxes[4 * k + 2] += alongCols * box.x.dEnd[s.col];
      dboxes[4 * k + 3] += alongRows * box.y.dEnd[s.row];
    };
    visitAlignBins(g, channels, boxes, indices, ({box, k, binOffset, bin}) => {
      for (let c = 0; c < channels; c++) {
        const s = winningSample(bin, winners[binOffset + c]);
        if (s === null) continue;
        const grad = dy[binOffset + c];
        addSample(box, k, s, grad * slopeAlongRows(x.values, s, c), grad * slopeAlongCols(x.values, s, c));
      }
    });
    return;
  }
  const dots = new BinDots();
  const simd = cpuWasmAllowed() ? simdChannelLoops(x.values, channels, g.height * g.width) : null;
  const first = simd === null ? 0 : simd.quadChannels;
  visitAlignBinPixels(g, channels, boxes, indices, (box, k, binOffset, bin) => {
    pixelDots(x.values, bin, first, channels, dy, binOffset, dots.reserve(bin));
    simd?.pixelDots(bin.offset, bin.count, dy, binOffset, dots.values);
    addBinBoxGrad(box, k, bin, dots.values, dboxes);
  });
}

/**
 * dboxes [K,4], flat: each box's RoIAlign box gradient at its level. The
 * level is piecewise constant in the corners and passes no gradient. 'max'
 * reads `winners`, or computes them.
 */
export function multiScaleRoiAlignBoxGradImpl(
    levels: LevelValues[], dy: Float32Array, boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    attrs: MultiScaleRoIAlignAttrs, winners?: Int32Array): Float32Array {
  const dboxes = new Float64Array(4 * boxIndices.length);
  const maxWinners = multiScaleWinners(winners, levels, boxes, boxIndices, attrs);
  forEachLevel(levels, boxes, boxIndices, attrs, (l, levelAttrs, indices) => {
    addRoiAlignBoxGrad(levels[l], dy, boxes, indices, levelAttrs, maxWinners, dboxes);
  });
  return toFloat32(dboxes);
}
