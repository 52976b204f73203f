import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {PsRoIAlignAttrs, PsRoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {PsRoIAlignGradProgram} from './ps_roi_webgpu';
import {RoIReachProgram} from './roi_reach_webgpu';
import {checkSamplingRatio, nothingToCompute, releasing, runOnRoITensors, zerosTensor} from './roi_webgpu_util';

/**
 * dx [N,H,W,C], deterministic: a gather over the boxes whose reach (the
 * aligned RoIAlign geometry's, a first pass) holds each pixel.
 */
export function psRoiAlignGrad(args: {inputs: RoIGradInputs, backend: WebGPUBackend, attrs: PsRoIAlignAttrs}):
    TensorInfo {
  const {inputs, backend, attrs} = args;
  checkSamplingRatio(PsRoIAlignGrad, attrs);
  if (nothingToCompute(inputs)) return zerosTensor(backend, inputs.x.shape);
  const reachProgram = new RoIReachProgram(inputs.boxes.shape[0], {aligned: true});
  const reach = runOnRoITensors(backend, PsRoIAlignGrad, reachProgram, inputs, attrs, 'int32');
  const program = new PsRoIAlignGradProgram(inputs.x.shape);
  return releasing(
      backend, [reach], () => runOnRoITensors(backend, PsRoIAlignGrad, program, {...inputs, reach}, attrs, 'float32'));
}

export const psRoiAlignGradConfig: KernelConfig = {
  kernelName: PsRoIAlignGrad,
  backendName: 'webgpu',
  kernelFunc: psRoiAlignGrad as unknown as KernelFunc,
};
