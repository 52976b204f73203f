import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIInputs, RoIPool, RoIPoolAttrs} from '../../src/kernel_names';
import type {RoIPoolOutput} from '../../shaders/wgsl/roi_pool';
import {RoIPoolProgram} from './roi_pool_webgpu';
import {isEmpty, roiUniforms, runRoIProgram, zerosTensor} from './roi_webgpu_util';

/**
 * Runs the forward program: the values of y, or the pixel that won each
 * output element (int32), which the gradient reads. x must not be empty.
 */
export function runRoIPool(
    backend: WebGPUBackend, kernelName: string, inputs: RoIInputs, attrs: RoIPoolAttrs,
    output: RoIPoolOutput): TensorInfo {
  const {x, boxes, boxIndices} = inputs;
  const program = new RoIPoolProgram([boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, x.shape[3]], output);
  return runRoIProgram(
      backend, kernelName, program, [x, boxes, boxIndices], output === 'value' ? 'float32' : 'int32',
      roiUniforms(attrs));
}

export function roiPool(args: {
  inputs: RoIInputs,
  backend: WebGPUBackend,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  if (isEmpty(inputs.x.shape) || inputs.boxes.shape[0] === 0) {
    // Nothing to read, or no boxes: zeros (or an empty y) without a dispatch.
    return zerosTensor(
        backend, [inputs.boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, inputs.x.shape[3]]);
  }
  return runRoIPool(backend, RoIPool, inputs, attrs, 'value');
}

export const roiPoolConfig: KernelConfig = {
  kernelName: RoIPool,
  backendName: 'webgpu',
  kernelFunc: roiPool as unknown as KernelFunc,
};
