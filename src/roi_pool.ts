import {engine, op} from '@tensorflow/tfjs-core';
import type {Tensor, Tensor2D, Tensor4D, TensorLike} from '@tensorflow/tfjs-core';

import {channelsOf, checkOutputSize, checkPoolingArgs, DataFormat, fromKernelLayout, toKernelLayout} from './args';
import {RoIPool, RoIPoolAttrs} from './kernel_names';

export interface RoIPoolOptions {
  /** Multiplies box coordinates into feature-map coordinates. Default 1. */
  spatialScale?: number;
  /** Layout of x and of the result. Default 'NHWC'. */
  dataFormat?: DataFormat;
}

const OPTIONS = ['spatialScale', 'dataFormat'];

function roiPool_(
    x: Tensor4D|TensorLike, boxes: Tensor2D|TensorLike,
    boxIndices: Tensor|TensorLike|null, outputSize: number|[number, number],
    options: RoIPoolOptions = {}): Tensor4D {
  const checked = checkPoolingArgs('roiPool', x, boxes, boxIndices, outputSize, options, OPTIONS);
  const {pooledHeight, pooledWidth, spatialScale, dataFormat} = checked;
  checkOutputSize('roiPool', [checked.boxes.shape[0], pooledHeight, pooledWidth, channelsOf(checked.x, dataFormat)], '[K,outH,outW,C]');
  const inputs = toKernelLayout(checked.x, checked.boxes, checked.boxIndices, dataFormat);
  const attrs: RoIPoolAttrs = {pooledHeight, pooledWidth, spatialScale};
  const y = engine().runKernel(RoIPool, inputs, attrs) as Tensor4D;
  return fromKernelLayout(y, dataFormat);
}

/**
 * RoIPool (Fast R-CNN), equal to torchvision.ops.roi_pool: box corners are
 * rounded to whole pixels, and each of the outH x outW bins takes the max of
 * the pixels it covers (0 for an empty bin).
 *
 * Arguments as for roiAlign.
 */
export const roiPool = /* @__PURE__ */ op({roiPool_});
