import {addN, cast, customGrad, engine, getKernel, equal, fill, greaterEqual, logicalAnd, mul, op, range, reshape, split, sub, sum, tensor1d, tile, unstack, where, zeros, zerosLike} from '@tensorflow/tfjs-core';
import type {GradSaveFunc, NamedTensorMap, Tensor, Tensor2D, Tensor4D, TensorLike} from '@tensorflow/tfjs-core';

import {channelsOf, checkDataFormat, checkOutputSize, checkKnownOptions, checkRoIInputs, DataFormat, fail, fromKernelLayout, parseOutputSize, show, shapeText, toKernelLayout, toTensor} from './args';
import {levelRoIAlignAttrs, MAX_MULTI_SCALE_LEVELS, MultiScaleRoIAlign, MultiScaleRoIAlignAttrs, RoIAlign, RoIAlignMode} from './kernel_names';
import {levelThresholds} from './multi_scale_levels';
import {checkSamplingOptions} from './roi_align';

export interface MultiScaleRoIAlignOptions {
  /**
   * [height, width] of the input image the boxes are in (the largest, when
   * images were padded to a batch). Each level's scale is inferred from its
   * height against this height, as torchvision does. Required.
   */
  imageSize: [number, number];
  /** Samples per bin and axis; <= 0 adapts to ceil(roiSize / outSize) per box. Default 0. */
  samplingRatio?: number;
  /** The box size (sqrt of its area) that maps to canonicalLevel. Default 224. */
  canonicalScale?: number;
  /** The pyramid level of a box of canonicalScale x canonicalScale. Default 4. */
  canonicalLevel?: number;
  /** Shift boxes by half a pixel. Default false, as torchvision's pooler. */
  aligned?: boolean;
  /** 'avg' (torchvision) or 'max' (mmcv). Default 'avg'. */
  mode?: RoIAlignMode;
  /** Layout of every level and of the result. Default 'NHWC'. */
  dataFormat?: DataFormat;
}

const OPTIONS = [
  'imageSize', 'samplingRatio', 'canonicalScale', 'canonicalLevel', 'aligned', 'mode', 'dataFormat'
];

/**
 * The power of two nearest (in log2) to featureSize / imageSize, as
 * torchvision's _infer_scale; returns its exponent.
 */
function scaleExponent(featureSize: number, imageSize: number): number {
  return Math.round(Math.log2(Math.fround(featureSize / imageSize)));
}

/**
 * The box indices each level's RoIAlign gets, [L,K] int32: a box keeps its
 * image index at its own level and has -1 at the others, where the kernel
 * gives 0 and no gradient without sampling. The level of a box is piecewise
 * constant in its corners, so this has a zero gradient.
 */
const boxIndicesPerLevel = customGrad((...args: Array<Tensor|GradSaveFunc>) => {
  const [corners, boxIndices, thresholds] = args as Tensor[];
  const numLevels = thresholds.shape[0] + 1;
  const numBoxes = corners.shape[0];
  const [x1, y1, x2, y2] = split(corners, 4, 1);
  // torchvision's box_area, in float32 and in its order.
  const area = reshape(mul(sub(x2, x1), sub(y2, y1)), [1, numBoxes]);
  const reached = greaterEqual(reshape(area, [numBoxes, 1]), reshape(thresholds, [1, -1]));
  const level = reshape(sum(cast(reached, 'int32'), 1), [1, numBoxes]);
  const levelIds = reshape(range(0, numLevels, 1, 'int32'), [numLevels, 1]);
  // A negative or NaN area has a NaN level in torchvision, which matches no
  // level, so the box pools 0.
  const atLevel = logicalAnd(equal(levelIds, level), greaterEqual(area, 0));
  const value = where(
      atLevel, tile(reshape(boxIndices, [1, numBoxes]), [numLevels, 1]),
      fill([numLevels, numBoxes], -1, 'int32'));
  return {
    value,
    gradFunc: () =>
        [zerosLike(corners), zeros(boxIndices.shape, 'float32'), zerosLike(thresholds)],
  };
});

/**
 * The pooler from RoIAlign kernels alone, for backends without the
 * MultiScaleRoIAlign kernels (or more levels than they take): each level's
 * RoIAlign gets the other levels' boxes with batch index -1 (output 0, no
 * gradient, no sampling), and the per-level results are summed, which is
 * exact as each box is nonzero at one level only.
 */
function perLevelRoiAlign(
    xs: Tensor4D[], boxes: Tensor2D, boxIndices: Tensor, attrs: MultiScaleRoIAlignAttrs): Tensor4D {
  const perLevel = xs.length === 1 ?
      [boxIndices] :
      unstack(boxIndicesPerLevel(boxes, boxIndices, tensor1d(attrs.levelThresholds)));
  const pooled = xs.map((x, l) => {
    const inputs = {x, boxes, boxIndices: perLevel[l]};
    return engine().runKernel(RoIAlign, inputs, levelRoIAlignAttrs(attrs, l)) as Tensor4D;
  });
  return pooled.length === 1 ? pooled[0] : addN(pooled) as Tensor4D;
}

/** The levels as float32 4-D tensors sharing batch size and channels. */
function checkFeatures(
    name: string, features: Array<Tensor|TensorLike>, dataFormat: DataFormat): Tensor4D[] {
  if (!Array.isArray(features) || features.length === 0) {
    fail(name, 'features must be a non-empty array of 4-D tensors, one per pyramid level, finest first');
  }
  const levels = features.map((level, i) => {
    const x = toTensor(level, `features[${i}]`, name, 'float32');
    if (x.rank !== 4) {
      fail(name, `features[${i}] must be 4-D [N,H,W,C] or [N,C,H,W], got shape ${shapeText(x.shape)}`);
    }
    return x as Tensor4D;
  });
  const channelAxis = dataFormat === 'NCHW' ? 1 : 3;
  const [first] = levels;
  levels.forEach((x, i) => {
    if (x.shape[0] !== first.shape[0] || x.shape[channelAxis] !== first.shape[channelAxis]) {
      fail(name, `features[${i}] is ${shapeText(x.shape)} and features[0] is ${
          shapeText(first.shape)}: every level needs the same batch size and channel count (${
          dataFormat})`);
    }
  });
  return levels;
}

function checkPositive(name: string, label: string, value: unknown): number {
  if (typeof value !== 'number' || !isFinite(value) || value <= 0) {
    fail(name, `${label} must be a finite number > 0, got ${show(value)}`);
  }
  return value;
}

/**
 * multiScaleRoiAlign's options checked (unknown keys too) and with their
 * defaults; the MultiScaleRoIAlign layer checks its config with it.
 */
export function checkMultiScaleOptions(name: string, options: MultiScaleRoIAlignOptions) {
  checkKnownOptions(options, OPTIONS, name);
  const {
    imageSize,
    samplingRatio = 0,
    canonicalScale = 224,
    canonicalLevel = 4,
    aligned = false,
    mode = 'avg',
    dataFormat = 'NHWC'
  } = options;
  if (!Array.isArray(imageSize) || imageSize.length !== 2) {
    fail(name, `imageSize must be [height, width] of the input image, got ${show(imageSize)}`);
  }
  const imageHeight = checkPositive(name, 'imageSize[0] (height)', imageSize[0]);
  checkPositive(name, 'imageSize[1] (width)', imageSize[1]);
  checkPositive(name, 'canonicalScale', canonicalScale);
  if (typeof canonicalLevel !== 'number' || !isFinite(canonicalLevel)) {
    fail(name, `canonicalLevel must be a finite number, got ${show(canonicalLevel)}`);
  }
  checkSamplingOptions(name, samplingRatio, aligned, mode);
  checkDataFormat(dataFormat, name);
  return {imageHeight, samplingRatio, canonicalScale, canonicalLevel, aligned, mode, dataFormat};
}

function multiScaleRoiAlign_(
    features: Array<Tensor4D|TensorLike>, boxes: Tensor2D|TensorLike,
    boxIndices: Tensor|TensorLike|null, outputSize: number|[number, number],
    options: MultiScaleRoIAlignOptions = {} as MultiScaleRoIAlignOptions): Tensor4D {
  const name = 'multiScaleRoiAlign';
  checkKnownOptions(options, OPTIONS, name);
  const [pooledHeight, pooledWidth] = parseOutputSize(outputSize, name);
  const {imageHeight, samplingRatio, canonicalScale, canonicalLevel, aligned, mode, dataFormat} =
      checkMultiScaleOptions(name, options);
  const levels = checkFeatures(name, features, dataFormat);
  const heightAxis = dataFormat === 'NCHW' ? 2 : 1;
  const exponents = levels.map(x => scaleExponent(x.shape[heightAxis], imageHeight));
  exponents.forEach((exponent, i) => {
    if (i > 0 && exponent !== exponents[i - 1] - 1) {
      fail(name, `features[${i}] has height ${levels[i].shape[heightAxis]}, a scale of 2^${
          exponent} of the image height ${imageHeight}, after features[${i - 1}] at 2^${
          exponents[i - 1]}: the levels must be consecutive, finest first, each half the size of the one before`);
    }
  });
  const checked = checkRoIInputs(name, levels[0], boxes, boxIndices);
  checkOutputSize(name, [checked.boxes.shape[0], pooledHeight, pooledWidth, channelsOf(levels[0], dataFormat)], '[K,outH,outW,C]');

  const first = toKernelLayout(levels[0], checked.boxes, checked.boxIndices, dataFormat);
  const xs = [
    first.x,
    ...levels.slice(1).map(x => toKernelLayout(x, first.boxes, first.boxIndices, dataFormat).x)
  ];
  const attrs: MultiScaleRoIAlignAttrs = {
    pooledHeight,
    pooledWidth,
    spatialScales: exponents.map(e => 2 ** e),
    levelThresholds: levelThresholds(-exponents[0], levels.length, canonicalScale, canonicalLevel),
    samplingRatio,
    aligned,
    mode
  };
  const y = getKernel(MultiScaleRoIAlign, engine().backendName) !== undefined &&
          levels.length <= MAX_MULTI_SCALE_LEVELS ?
      engine().runKernel(
          MultiScaleRoIAlign, [first.boxes, first.boxIndices, ...xs] as unknown as NamedTensorMap, attrs) as
          Tensor4D :
      perLevelRoiAlign(xs as Tensor4D[], first.boxes as Tensor2D, first.boxIndices, attrs);
  return fromKernelLayout(y, dataFormat);
}

/**
 * The FPN pooler, torchvision.ops.MultiScaleRoIAlign: each box is pooled
 * with RoIAlign from the pyramid level that suits its size,
 * floor(canonicalLevel + log2(sqrt(area) / canonicalScale) + 1e-6) clamped
 * to the levels given, and the results keep the order of the boxes.
 *
 * @param features One [N,H,W,C] (or [N,C,H,W]) float32 map per level, finest
 *     first, each half the size of the one before; their scales are inferred
 *     against options.imageSize as 2^round(log2(featureHeight / imageHeight)).
 * @param boxes [K,4] (x1, y1, x2, y2) in image coordinates, or [K,5]
 *     (batchIndex, x1, y1, x2, y2) when boxIndices is null.
 * @param boxIndices [K] int32 image of each box, or null with [K,5] boxes.
 * @param outputSize outH = outW, or [outH, outW].
 * @returns [K,outH,outW,C] (NHWC) or [K,C,outH,outW] (NCHW).
 */
export const multiScaleRoiAlign = /* @__PURE__ */ op({multiScaleRoiAlign_});
