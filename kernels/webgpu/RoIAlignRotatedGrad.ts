import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIAlignRotatedAttrs, RoIAlignRotatedGrad, RoIGradInputs} from '../../src/kernel_names';
import {RoIAlignRotatedGradProgram, RoIAlignRotatedReachProgram, rotatedUniforms} from './roi_align_rotated_webgpu';
import {checkSamplingRatio, nothingToCompute, zerosTensor} from './roi_webgpu_util';
import {dxGatherLayout, runGather} from './gather_webgpu';

/**
 * dx [N,H,W,C], deterministic: each element gathers from the samples that
 * touch it, scanning only the boxes whose reach (a first pass) holds its pixel.
 */
export function roiAlignRotatedGrad(
    args: {inputs: RoIGradInputs, backend: WebGPUBackend, attrs: RoIAlignRotatedAttrs}): TensorInfo {
  const {inputs, backend, attrs} = args;
  checkSamplingRatio(RoIAlignRotatedGrad, attrs);
  if (nothingToCompute(inputs)) return zerosTensor(backend, inputs.x.shape);
  return runGather(
      backend, RoIAlignRotatedGrad, new RoIAlignRotatedReachProgram(inputs.boxes.shape[0]),
      new RoIAlignRotatedGradProgram(inputs.x.shape, dxGatherLayout(backend, inputs.x.shape)), inputs, attrs, rotatedUniforms(attrs));
}

export const roiAlignRotatedGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedGrad,
  backendName: 'webgpu',
  kernelFunc: roiAlignRotatedGrad as unknown as KernelFunc,
};
