import type {KernelConfig, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIAlignRotated, RoIAlignRotatedAttrs, RoIInputs} from '../../src/kernel_names';
import {forwardLanes} from './roi_align_webgpu';
import {RoIAlignRotatedProgram, rotatedUniforms} from './roi_align_rotated_webgpu';
import {checkSamplingRatio, forwardKernelFunc, pooledShape, runOnRoITensors} from './roi_webgpu_util';

function runRoIAlignRotated(
    backend: WebGPUBackend, kernelName: string, inputs: RoIInputs, attrs: RoIAlignRotatedAttrs): TensorInfo {
  checkSamplingRatio(kernelName, attrs);
  const program = new RoIAlignRotatedProgram(pooledShape(inputs, attrs), forwardLanes(inputs.x.shape[3], true));
  return runOnRoITensors(backend, kernelName, program, inputs, attrs, 'float32', rotatedUniforms(attrs));
}

export const roiAlignRotatedConfig: KernelConfig = {
  kernelName: RoIAlignRotated,
  backendName: 'webgpu',
  kernelFunc: forwardKernelFunc(RoIAlignRotated, runRoIAlignRotated),
};
