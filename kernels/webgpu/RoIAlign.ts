import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import type {RoIAlignOutput} from '../../shaders/wgsl/roi_align';
import {RoIAlignProgram} from './roi_align_webgpu';
import {checkSamplingRatio, isEmpty, roiUniforms, runRoIProgram, zerosTensor} from './roi_webgpu_util';

/**
 * Runs the forward program: the values of y, or for 'max' mode the winning
 * sample of each output element (int32), which both gradients read. x must
 * not be empty.
 */
export function runRoIAlign(
    backend: WebGPUBackend, kernelName: string, inputs: RoIInputs, attrs: RoIAlignAttrs,
    output: RoIAlignOutput): TensorInfo {
  const {x, boxes, boxIndices} = inputs;
  checkSamplingRatio(kernelName, attrs);
  const shape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, x.shape[3]];
  const program = new RoIAlignProgram(shape, attrs.mode, attrs.aligned, attrs.samplingRatio, output);
  return runRoIProgram(
      backend, kernelName, program, [x, boxes, boxIndices], output === 'value' ? 'float32' : 'int32',
      roiUniforms(attrs));
}

export function roiAlign(args: {
  inputs: RoIInputs,
  backend: WebGPUBackend,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  if (isEmpty(inputs.x.shape) || inputs.boxes.shape[0] === 0) {
    // Nothing to read, or no boxes: zeros (or an empty y) without a dispatch.
    return zerosTensor(
        backend, [inputs.boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, inputs.x.shape[3]]);
  }
  return runRoIAlign(backend, RoIAlign, inputs, attrs, 'value');
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'webgpu',
  kernelFunc: roiAlign as unknown as KernelFunc,
};
