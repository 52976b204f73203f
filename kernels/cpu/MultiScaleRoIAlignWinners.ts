import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {MultiScaleRoIAlignAttrs, MultiScaleRoIAlignWinners, MultiScaleRoIList} from '../../src/kernel_names';
import {multiScaleForward} from './MultiScaleRoIAlign';
import {multiScaleRoiAlignWinnersImpl} from './multi_scale_roi_align_impl';

/** 'max' mode's winners, int32 [K,outH,outW,C], each box's at its level (see MultiScaleRoIAlignWinners). */
export function multiScaleRoiAlignWinners(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendCPU,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  return multiScaleForward(args.backend, args.inputs, args.attrs, 'int32', multiScaleRoiAlignWinnersImpl);
}

export const multiScaleRoiAlignWinnersConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignWinners,
  backendName: 'cpu',
  kernelFunc: multiScaleRoiAlignWinners as unknown as KernelFunc,
};
