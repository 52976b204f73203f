import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {PsRoIAlignAttrs, PsRoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {PsRoIGradProgram} from './ps_roi_webgpu';
import {RoIReachProgram} from './roi_reach_webgpu';
import {checkSamplingRatio, nothingToCompute, zerosTensor} from './roi_webgpu_util';
import {dxGatherLayout, runGather} from './gather_webgpu';

/**
 * dx [N,H,W,C], deterministic: a gather over the boxes whose reach (the
 * aligned RoIAlign geometry's, a first pass) holds each pixel.
 */
export function psRoiAlignGrad(args: {inputs: RoIGradInputs, backend: WebGPUBackend, attrs: PsRoIAlignAttrs}):
    TensorInfo {
  const {inputs, backend, attrs} = args;
  checkSamplingRatio(PsRoIAlignGrad, attrs);
  if (nothingToCompute(inputs)) return zerosTensor(backend, inputs.x.shape);
  return runGather(
      backend, PsRoIAlignGrad, new RoIReachProgram(inputs.boxes.shape[0], {aligned: true}),
      new PsRoIGradProgram('psRoiAlign', inputs.x.shape, dxGatherLayout(backend, inputs.x.shape)), inputs, attrs);
}

export const psRoiAlignGradConfig: KernelConfig = {
  kernelName: PsRoIAlignGrad,
  backendName: 'webgpu',
  kernelFunc: psRoiAlignGrad as unknown as KernelFunc,
};
