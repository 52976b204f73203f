import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {MultiScaleRoIAlignAttrs, MultiScaleRoIAlignWinners, MultiScaleRoIList} from '../../src/kernel_names';
import {multiScaleValues} from './MultiScaleRoIAlign';
import {multiScaleRoiAlignWinnersImpl} from './multi_scale_roi_align_impl';

/** 'max' mode's winners, int32 [K,outH,outW,C], each box's at its level (see MultiScaleRoIAlignWinners). */
export function multiScaleRoiAlignWinners(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendCPU,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {levels, boxes, boxIndices, boxesShape} = multiScaleValues(backend, inputs, attrs);
  const winners = multiScaleRoiAlignWinnersImpl(levels, boxes, boxIndices, attrs);
  return backend.makeTensorInfo(
      [boxesShape[0], attrs.pooledHeight, attrs.pooledWidth, levels[0].shape[3]], 'int32', winners);
}

export const multiScaleRoiAlignWinnersConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignWinners,
  backendName: 'cpu',
  kernelFunc: multiScaleRoiAlignWinners as unknown as KernelFunc,
};
