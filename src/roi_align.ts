import {engine, op} from '@tensorflow/tfjs-core';
import type {Tensor, Tensor2D, Tensor4D, TensorLike} from '@tensorflow/tfjs-core';

import {channelsOf, checkDataFormat, checkOutputSize, checkKnownOptions, checkRoIInputs, checkSamplingRatio, checkSpatialScale, DataFormat, fail, fromKernelLayout, parseOutputSize, show, toKernelLayout} from './args';
import {RoIAlign, RoIAlignAttrs, RoIAlignMode} from './kernel_names';

export interface RoIAlignOptions {
  /** Multiplies box coordinates into feature-map coordinates. Default 1. */
  spatialScale?: number;
  /** Samples per bin and axis; <= 0 adapts to ceil(roiSize / outSize) per box. Default 0. */
  samplingRatio?: number;
  /** Shift boxes by half a pixel (detectron2 ROIAlignV2, ONNX half_pixel). Default false. */
  aligned?: boolean;
  /** 'avg' (torchvision) or 'max' (mmcv): how a bin reduces its samples. Default 'avg'. */
  mode?: RoIAlignMode;
  /** Layout of x and of the result. Default 'NHWC'. */
  dataFormat?: DataFormat;
}

const OPTIONS = ['spatialScale', 'samplingRatio', 'aligned', 'mode', 'dataFormat'];

/** The sampling options of roiAlign, checked; shared with multiScaleRoiAlign. */
export function checkSamplingOptions(
    name: string, samplingRatio: unknown, aligned: unknown, mode: unknown): void {
  checkSamplingRatio(samplingRatio, name);
  if (typeof aligned !== 'boolean') {
    fail(name, `aligned must be a boolean, got ${show(aligned)}`);
  }
  if (mode !== 'avg' && mode !== 'max') {
    fail(name, `mode must be 'avg' or 'max', got ${show(mode)}`);
  }
}

/**
 * roiAlign's options checked (unknown keys too) and with their defaults;
 * the RoIAlign layer checks its config with it when it is made.
 */
export function checkRoIAlignOptions(name: string, options: RoIAlignOptions) {
  checkKnownOptions(options, OPTIONS, name);
  const {
    spatialScale = 1,
    samplingRatio = 0,
    aligned = false,
    mode = 'avg',
    dataFormat = 'NHWC'
  } = options;
  checkSpatialScale(spatialScale, name);
  checkSamplingOptions(name, samplingRatio, aligned, mode);
  checkDataFormat(dataFormat, name);
  return {spatialScale, samplingRatio, aligned, mode, dataFormat};
}

function roiAlign_(
    x: Tensor4D|TensorLike, boxes: Tensor2D|TensorLike,
    boxIndices: Tensor|TensorLike|null, outputSize: number|[number, number],
    options: RoIAlignOptions = {}): Tensor4D {
  const name = 'roiAlign';
  checkKnownOptions(options, OPTIONS, name);
  const [pooledHeight, pooledWidth] = parseOutputSize(outputSize, name);
  const {spatialScale, samplingRatio, aligned, mode, dataFormat} = checkRoIAlignOptions(name, options);
  const checked = checkRoIInputs(name, x, boxes, boxIndices);
  checkOutputSize(name, [checked.boxes.shape[0], pooledHeight, pooledWidth, channelsOf(checked.x, dataFormat)], '[K,outH,outW,C]');

  const inputs = toKernelLayout(checked.x, checked.boxes, checked.boxIndices, dataFormat);
  const attrs: RoIAlignAttrs = {
    pooledHeight,
    pooledWidth,
    spatialScale,
    samplingRatio,
    aligned,
    mode
  };
  const y = engine().runKernel(RoIAlign, inputs, attrs) as Tensor4D;
  return fromKernelLayout(y, dataFormat);
}

/**
 * RoIAlign (Mask R-CNN): pools each box of `boxes` from its image of `x` into
 * an outH x outW grid of bilinearly interpolated samples. 'avg' mode equals
 * torchvision.ops.roi_align; 'max' mode equals mmcv's RoIAlign(pool_mode='max').
 *
 * @param x [N,H,W,C] ('NHWC', the default) or [N,C,H,W] ('NCHW'), float32.
 * @param boxes [K,4] (x1, y1, x2, y2) in image coordinates, or [K,5]
 *     (batchIndex, x1, y1, x2, y2) when boxIndices is null.
 * @param boxIndices [K] int32 image of each box, or null with [K,5] boxes.
 * @param outputSize outH = outW, or [outH, outW].
 * @returns [K,outH,outW,C] (NHWC) or [K,C,outH,outW] (NCHW).
 */
export const roiAlign = /* @__PURE__ */ op({roiAlign_});
