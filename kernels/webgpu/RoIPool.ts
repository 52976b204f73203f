import type {KernelConfig, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIInputs, RoIPool, RoIPoolAttrs} from '../../src/kernel_names';
import type {RoIPoolOutput} from '../../shaders/wgsl/roi_pool';
import {RoIPoolProgram} from './roi_pool_webgpu';
import {forwardKernelFunc, pooledShape, runOnRoITensors} from './roi_webgpu_util';

/**
 * Runs the forward program: the values of y, or the pixel that won each
 * output element (int32), which the gradient reads.
 */
export function runRoIPool(
    backend: WebGPUBackend, kernelName: string, inputs: RoIInputs, attrs: RoIPoolAttrs,
    output: RoIPoolOutput): TensorInfo {
  const program = new RoIPoolProgram(pooledShape(inputs, attrs), output);
  return runOnRoITensors(backend, kernelName, program, inputs, attrs, output === 'value' ? 'float32' : 'int32');
}

export const roiPoolConfig: KernelConfig = {
  kernelName: RoIPool,
  backendName: 'webgpu',
  kernelFunc: forwardKernelFunc(RoIPool, runRoIPool),
};
