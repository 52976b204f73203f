import {op} from '@tensorflow/tfjs-core';
import type {Tensor, Tensor2D, Tensor4D, TensorLike} from '@tensorflow/tfjs-core';

import {checkDataFormat, checkKnownOptions, checkSamplingRatio, checkSpatialScale, DataFormat, fail, parseOutputSize, show, ROTATED_BOXES, runOnKernelLayout} from './args';
import type {AngleUnit} from './geometry';
import {RoIAlignRotated, RoIAlignRotatedAttrs} from './kernel_names';

export interface RoIAlignRotatedOptions {
  /** Multiplies box centres and sizes into feature-map coordinates. Default 1. */
  spatialScale?: number;
  /** Samples per bin and axis; <= 0 adapts to ceil(binSize) per box. Default 0. */
  samplingRatio?: number;
  /** Unit of the boxes' angle column: 'degrees' (detectron2) or 'radians' (mmcv). Default 'degrees'. */
  angleUnit?: AngleUnit;
  /**
   * false (default, detectron2): a positive angle turns the box
   * counter-clockwise; true: clockwise, as mmcv's clockwise=True.
   */
  clockwise?: boolean;
  /** Layout of x and of the result. Default 'NHWC'. */
  dataFormat?: DataFormat;
}

const OPTIONS = ['spatialScale', 'samplingRatio', 'angleUnit', 'clockwise', 'dataFormat'];

function roiAlignRotated_(
    x: Tensor4D|TensorLike, boxes: Tensor2D|TensorLike,
    boxIndices: Tensor|TensorLike|null, outputSize: number|[number, number],
    options: RoIAlignRotatedOptions = {}): Tensor4D {
  const name = 'roiAlignRotated';
  checkKnownOptions(options, OPTIONS, name);
  const {
    spatialScale = 1,
    samplingRatio = 0,
    angleUnit = 'degrees',
    clockwise = false,
    dataFormat = 'NHWC'
  } = options;
  const [pooledHeight, pooledWidth] = parseOutputSize(outputSize, name);
  checkSpatialScale(spatialScale, name);
  checkSamplingRatio(samplingRatio, name);
  if (angleUnit !== 'degrees' && angleUnit !== 'radians') {
    fail(name, `angleUnit must be 'degrees' or 'radians', got ${show(angleUnit)}`);
  }
  if (typeof clockwise !== 'boolean') {
    fail(name, `clockwise must be a boolean, got ${show(clockwise)}`);
  }
  checkDataFormat(dataFormat, name);
  const attrs: RoIAlignRotatedAttrs =
      {pooledHeight, pooledWidth, spatialScale, samplingRatio, angleUnit, clockwise};
  return runOnKernelLayout(name, RoIAlignRotated, x, boxes, boxIndices, dataFormat, attrs, ROTATED_BOXES);
}

/**
 * Rotated RoIAlign: pools each rotated box of `boxes` from its image of `x`
 * into an outH x outW grid of bilinearly interpolated samples, averaged per
 * bin. Equals detectron2's ROIAlignRotated (and, with angleUnit 'radians',
 * mmcv's RoIAlignRotated with aligned=True). The half-pixel offset always
 * applies and there is no minimum box size.
 *
 * @param x [N,H,W,C] ('NHWC', the default) or [N,C,H,W] ('NCHW'), float32.
 * @param boxes [K,5] (cx, cy, w, h, angle) in image coordinates, or [K,6]
 *     (batchIndex, cx, cy, w, h, angle) when boxIndices is null.
 * @param boxIndices [K] int32 image of each box, or null with [K,6] boxes.
 * @param outputSize outH = outW, or [outH, outW].
 * @returns [K,outH,outW,C] (NHWC) or [K,C,outH,outW] (NCHW).
 */
export const roiAlignRotated = /* @__PURE__ */ op({roiAlignRotated_});
