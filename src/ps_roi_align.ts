import {engine, op} from '@tensorflow/tfjs-core';
import type {Tensor, Tensor2D, Tensor4D, TensorLike} from '@tensorflow/tfjs-core';

import {channelsOf, checkKnownOptions, checkOutputSize, checkPoolingArgs, checkPositionSensitiveChannels, checkSamplingRatio, fromKernelLayout, toKernelLayout} from './args';
import {PsRoIAlign, PsRoIAlignAttrs} from './kernel_names';
import type {RoIPoolOptions} from './roi_pool';

export interface PsRoIAlignOptions extends RoIPoolOptions {
  /** Samples per bin and axis; <= 0 adapts to ceil(roiSize / outSize) per box. Default 0. */
  samplingRatio?: number;
}

function psRoiAlign_(
    x: Tensor4D|TensorLike, boxes: Tensor2D|TensorLike,
    boxIndices: Tensor|TensorLike|null, outputSize: number|[number, number],
    options: PsRoIAlignOptions = {}): Tensor4D {
  const name = 'psRoiAlign';
  const known = ['spatialScale', 'samplingRatio', 'dataFormat'];
  checkKnownOptions(options, known, name);
  const samplingRatio = checkSamplingRatio(options.samplingRatio ?? 0, name);
  const checked = checkPoolingArgs(name, x, boxes, boxIndices, outputSize, options, known);
  const {pooledHeight, pooledWidth, spatialScale, dataFormat} = checked;
  checkPositionSensitiveChannels(name, checked.x, dataFormat, pooledHeight, pooledWidth);
  // Cout * outH * outW = C: the result has K * C elements.
  checkOutputSize(name, [checked.boxes.shape[0], pooledHeight, pooledWidth,
    channelsOf(checked.x, dataFormat) / (pooledHeight * pooledWidth)], '[K,outH,outW,Cout]');
  const inputs = toKernelLayout(checked.x, checked.boxes, checked.boxIndices, dataFormat);
  const attrs: PsRoIAlignAttrs = {pooledHeight, pooledWidth, spatialScale, samplingRatio};
  const y = engine().runKernel(PsRoIAlign, inputs, attrs) as Tensor4D;
  return fromKernelLayout(y, dataFormat);
}

/**
 * Position-sensitive RoIAlign (R-FCN), equal to torchvision.ops.ps_roi_align:
 * RoIAlign with the half-pixel offset always applied and 'avg' pooling, where
 * bin (ph, pw) of output channel c samples only input channel
 * (c * outH + ph) * outW + pw. x needs C = Cout * outH * outW channels. A box
 * with no samples (zero width or height) gives 0, as in roiAlign, where
 * torchvision divides 0 by 0.
 *
 * Arguments as for roiAlign; the result is [K,outH,outW,Cout] (NHWC) or
 * [K,Cout,outH,outW] (NCHW). Differentiable w.r.t. x and boxes.
 */
export const psRoiAlign = /* @__PURE__ */ op({psRoiAlign_});
