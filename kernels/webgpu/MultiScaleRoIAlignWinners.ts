import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {MultiScaleRoIAlignAttrs, MultiScaleRoIAlignWinners, MultiScaleRoIList} from '../../src/kernel_names';
import {runMultiScaleForward} from './MultiScaleRoIAlign';

/**
 * 'max' mode's winners, int32 [K,outH,outW,C] (see
 * MultiScaleRoIAlignWinners): the forward program's 'winner' output, each
 * box at its own level, in one dispatch, whatever attrs.mode says. With
 * nothing to compute, -1 everywhere, written without a dispatch.
 */
export function multiScaleRoiAlignWinners(args: {
  inputs: MultiScaleRoIList,
  backend: WebGPUBackend,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  return runMultiScaleForward(args.backend, args.inputs, args.attrs, 'winner');
}

export const multiScaleRoiAlignWinnersConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignWinners,
  backendName: 'webgpu',
  kernelFunc: multiScaleRoiAlignWinners as unknown as KernelFunc,
};
