/**
 * Kernel names, inputs and attributes of the RoI kernels.
 *
 * Every kernel works in NHWC with boxes [K,4] (x1, y1, x2, y2) in input-image
 * coordinates and int32 boxIndices [K]. The public ops translate NCHW and the
 * [K,5] box layout into this form, so each backend implements one layout only.
 */
import type {NamedAttrMap, TensorInfo} from '@tensorflow/tfjs-core';

/** Forward RoIAlign: y [K,outH,outW,C]. */
export const RoIAlign = 'RoIAlign';
/** Gradient of RoIAlign w.r.t. x: dx [N,H,W,C]. */
export const RoIAlignGrad = 'RoIAlignGrad';
/** Gradient of RoIAlign w.r.t. boxes: dboxes [K,4]. */
export const RoIAlignBoxGrad = 'RoIAlignBoxGrad';
/**
 * 'max' mode's winners, int32 [K,outH,outW,C]: per bin and channel, the
 * index iy * gridW + ix (rows outer, as the samples are visited) of the
 * sample whose value is the bin's max, the first one on ties, samples
 * outside the map counting as 0; -1 where no gradient flows: the winner lies
 * outside the map, the bin has no samples, or the box is unreadable. The
 * gradient computes them once per step and hands them to RoIAlignGrad and
 * RoIAlignBoxGrad (RoIAlignGradInputs.winners). Takes RoIInputs and
 * RoIAlignAttrs; it computes the max's winners whatever attrs.mode says.
 */
export const RoIAlignWinners = 'RoIAlignWinners';
/** Forward RoIPool: y [K,outH,outW,C]. */
export const RoIPool = 'RoIPool';
/** Gradient of RoIPool w.r.t. x, through the recomputed argmax: dx [N,H,W,C]. */
export const RoIPoolGrad = 'RoIPoolGrad';

export type RoIAlignMode = 'avg'|'max';

export interface RoIAlignAttrs extends NamedAttrMap {
  pooledHeight: number;
  pooledWidth: number;
  spatialScale: number;
  /** > 0: that many samples per bin and axis; <= 0: ceil(roiSize / pooled) per box and axis. */
  samplingRatio: number;
  aligned: boolean;
  mode: RoIAlignMode;
}

export interface RoIPoolAttrs extends NamedAttrMap {
  pooledHeight: number;
  pooledWidth: number;
  spatialScale: number;
}

/** Inputs of RoIAlign and RoIPool. */
export type RoIInputs = {
  x: TensorInfo,
  boxes: TensorInfo,
  boxIndices: TensorInfo,
};

/**
 * Inputs of RoIAlignGrad, RoIAlignBoxGrad and RoIPoolGrad. x is there because
 * the max modes recompute their winner and the box gradient needs the image.
 */
export type RoIGradInputs = RoIInputs&{dy: TensorInfo};

/**
 * Inputs of RoIAlignGrad and RoIAlignBoxGrad. In 'max' mode, winners (the
 * output of RoIAlignWinners for the same x, boxes, boxIndices and attrs) is
 * read instead of searching every bin again; without it (a direct kernel
 * call, an older caller) the kernels compute the winners themselves, with
 * the same result. 'avg' ignores it.
 */
export type RoIAlignGradInputs = RoIGradInputs&{winners?: TensorInfo};

/**
 * Position-sensitive RoIAlign (R-FCN, torchvision.ops.ps_roi_align): bin
 * (ph, pw) of output channel c reads input channel (c * outH + ph) * outW + pw,
 * so y is [K,outH,outW,C/(outH*outW)]. Always half-pixel aligned, 'avg' only.
 */
export const PsRoIAlign = 'PsRoIAlign';
/** Gradient of PsRoIAlign w.r.t. x: dx [N,H,W,C]. */
export const PsRoIAlignGrad = 'PsRoIAlignGrad';
/** Gradient of PsRoIAlign w.r.t. boxes: dboxes [K,4]. */
export const PsRoIAlignBoxGrad = 'PsRoIAlignBoxGrad';
/**
 * Position-sensitive RoIPool (torchvision.ops.ps_roi_pool): the mean of each
 * bin's pixels in the bin's own input channel, y [K,outH,outW,C/(outH*outW)].
 */
export const PsRoIPool = 'PsRoIPool';
/** Gradient of PsRoIPool w.r.t. x: dx [N,H,W,C]. */
export const PsRoIPoolGrad = 'PsRoIPoolGrad';

export interface PsRoIAlignAttrs extends NamedAttrMap {
  pooledHeight: number;
  pooledWidth: number;
  spatialScale: number;
  /** > 0: that many samples per bin and axis; <= 0: ceil(roiSize / pooled) per box and axis. */
  samplingRatio: number;
}

export type PsRoIPoolAttrs = RoIPoolAttrs;

/** psRoiAlign's sampling as RoIAlign attributes: always aligned, 'avg'. */
export function psAlignAsRoIAlign(attrs: PsRoIAlignAttrs): RoIAlignAttrs {
  return {...attrs, aligned: true, mode: 'avg'};
}

/** Forward RoIAlignRotated: y [K,outH,outW,C]; boxes [K,5] (cx, cy, w, h, angle). */
export const RoIAlignRotated = 'RoIAlignRotated';
/** Gradient of RoIAlignRotated w.r.t. x: dx [N,H,W,C]. */
export const RoIAlignRotatedGrad = 'RoIAlignRotatedGrad';
/** Gradient of RoIAlignRotated w.r.t. boxes: dboxes [K,5]. */
export const RoIAlignRotatedBoxGrad = 'RoIAlignRotatedBoxGrad';

export interface RoIAlignRotatedAttrs extends NamedAttrMap {
  pooledHeight: number;
  pooledWidth: number;
  spatialScale: number;
  /** > 0: that many samples per bin and axis; <= 0: ceil(binSize) per box and axis. */
  samplingRatio: number;
  angleUnit: 'degrees'|'radians';
  /** Positive angles turn clockwise (mmcv's clockwise=True) rather than counter-clockwise. */
  clockwise: boolean;
}

/**
 * The FPN pooler (torchvision.ops.MultiScaleRoIAlign) in one kernel: y
 * [K,outH,outW,C], each box sampled by RoIAlign from its own level and
 * written once. Its inputs are a list (see MultiScaleRoIList), so that the
 * number of levels can vary and the engine can save them all for the
 * gradient.
 */
export const MultiScaleRoIAlign = 'MultiScaleRoIAlign';
/** Gradient of MultiScaleRoIAlign w.r.t. every level: one output dx_l [N,H_l,W_l,C] per level. */
export const MultiScaleRoIAlignGrad = 'MultiScaleRoIAlignGrad';
/** Gradient of MultiScaleRoIAlign w.r.t. boxes: dboxes [K,4]. */
export const MultiScaleRoIAlignBoxGrad = 'MultiScaleRoIAlignBoxGrad';
/**
 * 'max' mode's winners of MultiScaleRoIAlign, int32 [K,outH,outW,C]: each
 * box's RoIAlignWinners at its own level, -1 for a box without one. Takes
 * the forward's list and attrs, whatever attrs.mode says; the gradient
 * computes them once per step and appends them to both gradient kernels'
 * lists (MultiScaleRoIInputs.winners).
 */
export const MultiScaleRoIAlignWinners = 'MultiScaleRoIAlignWinners';

/**
 * The most levels one MultiScaleRoIAlign kernel takes: with boxes, boxIndices
 * and the output, the eight storage buffers a WebGPU shader stage may bind by
 * default. More levels run as one RoIAlign per level.
 */
export const MAX_MULTI_SCALE_LEVELS = 5;

export interface MultiScaleRoIAlignAttrs extends NamedAttrMap {
  pooledHeight: number;
  pooledWidth: number;
  /** One per level: the level's scale, 2^-stride. */
  spatialScales: number[];
  /**
   * One fewer than the levels (src/multi_scale_levels.ts): a box of float32
   * area a = (x2 - x1) * (y2 - y1) >= 0 is at level #{t : a >= t}; with
   * several levels a negative area has none (output 0, no gradient), with
   * one level every box is at it.
   */
  levelThresholds: number[];
  samplingRatio: number;
  aligned: boolean;
  mode: RoIAlignMode;
}

/**
 * The inputs of the MultiScaleRoIAlign kernels, as a list: [boxes,
 * boxIndices, x0, ..., x{L-1}] (levels [N,H_l,W_l,C], finest first), and
 * for the gradient kernels dy [K,outH,outW,C] after them, then in 'max' mode
 * optionally the step's MultiScaleRoIAlignWinners.
 */
export type MultiScaleRoIList = TensorInfo[];

/** The named view of a MultiScaleRoIList. */
export interface MultiScaleRoIInputs {
  boxes: TensorInfo;
  boxIndices: TensorInfo;
  levels: TensorInfo[];
  /** Only in the gradient kernels' inputs. */
  dy?: TensorInfo;
  /**
   * The gradient kernels' 'max' winners (MultiScaleRoIAlignWinners of the
   * same inputs), read instead of searching every bin again; without them
   * the kernels compute them, with the same result.
   */
  winners?: TensorInfo;
}

export function multiScaleInputs(list: MultiScaleRoIList, attrs: MultiScaleRoIAlignAttrs): MultiScaleRoIInputs {
  const numLevels = attrs.spatialScales.length;
  const [boxes, boxIndices] = list;
  return {
    boxes, boxIndices, levels: list.slice(2, 2 + numLevels), dy: list[2 + numLevels], winners: list[3 + numLevels]
  };
}

/** The RoIAlign attributes of level l of a MultiScaleRoIAlign call. */
export function levelRoIAlignAttrs(attrs: MultiScaleRoIAlignAttrs, level: number): RoIAlignAttrs {
  const {pooledHeight, pooledWidth, samplingRatio, aligned, mode} = attrs;
  return {pooledHeight, pooledWidth, spatialScale: attrs.spatialScales[level], samplingRatio, aligned, mode};
}
