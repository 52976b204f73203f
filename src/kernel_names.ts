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
