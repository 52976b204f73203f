import {engine, op} from '@tensorflow/tfjs-core';
import type {Tensor, Tensor2D, Tensor4D, TensorLike} from '@tensorflow/tfjs-core';

import {channelsOf, checkOutputSize, checkPoolingArgs, checkPositionSensitiveChannels, fromKernelLayout, toKernelLayout} from './args';
import {PsRoIPool, PsRoIPoolAttrs} from './kernel_names';
import type {RoIPoolOptions} from './roi_pool';

/** spatialScale and dataFormat, as for roiPool. */
export type PsRoIPoolOptions = RoIPoolOptions;

function psRoiPool_(
    x: Tensor4D|TensorLike, boxes: Tensor2D|TensorLike,
    boxIndices: Tensor|TensorLike|null, outputSize: number|[number, number],
    options: PsRoIPoolOptions = {}): Tensor4D {
  const name = 'psRoiPool';
  const checked = checkPoolingArgs(name, x, boxes, boxIndices, outputSize, options, ['spatialScale', 'dataFormat']);
  const {pooledHeight, pooledWidth, spatialScale, dataFormat} = checked;
  checkPositionSensitiveChannels(name, checked.x, dataFormat, pooledHeight, pooledWidth);
  // Cout * outH * outW = C: the result has K * C elements.
  checkOutputSize(name, [checked.boxes.shape[0], pooledHeight, pooledWidth,
    channelsOf(checked.x, dataFormat) / (pooledHeight * pooledWidth)], '[K,outH,outW,Cout]');
  const inputs = toKernelLayout(checked.x, checked.boxes, checked.boxIndices, dataFormat);
  const attrs: PsRoIPoolAttrs = {pooledHeight, pooledWidth, spatialScale};
  const y = engine().runKernel(PsRoIPool, inputs, attrs) as Tensor4D;
  return fromKernelLayout(y, dataFormat);
}

/**
 * Position-sensitive RoIPool (R-FCN), equal to torchvision.ops.ps_roi_pool in
 * its forward: box corners rounded to whole pixels, box size
 * max(end - start, 1), and bin (ph, pw) of output channel c is the mean of
 * input channel (c * outH + ph) * outW + pw over the bin's pixels, clipped
 * to [0, H - 1) x [0, W - 1) (0 for an empty bin). The gradient w.r.t. x is
 * that forward's derivative (torchvision's backward clips bins to the whole
 * map instead); boxes get a zero gradient.
 *
 * Arguments as for roiPool; the result is [K,outH,outW,Cout] (NHWC) or
 * [K,Cout,outH,outW] (NCHW), with C = Cout * outH * outW.
 */
export const psRoiPool = /* @__PURE__ */ op({psRoiPool_});
