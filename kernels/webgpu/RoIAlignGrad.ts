import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIAlignAttrs, RoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {runRoIAlign} from './RoIAlign';
import {RoIAlignGradProgram} from './roi_align_grad_webgpu';
import {checkSamplingRatio, isEmpty, roiUniforms, runRoIProgram, zerosTensor} from './roi_webgpu_util';

/**
 * dx [N,H,W,C], deterministic: each element gathers from the samples that
 * touch it. 'max' first records each bin's winning sample with the forward
 * program, so the gather reads that instead of redoing the max.
 */
export function roiAlignGrad(args: {
  inputs: RoIGradInputs,
  backend: WebGPUBackend,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  checkSamplingRatio(RoIAlignGrad, attrs);
  if (isEmpty(x.shape) || boxes.shape[0] === 0) {
    // No boxes pass no gradient: zeros without a dispatch.
    return zerosTensor(backend, x.shape);
  }
  const program = new RoIAlignGradProgram(x.shape, attrs.mode, attrs.aligned, attrs.samplingRatio);
  if (attrs.mode === 'avg') {
    return runRoIProgram(
        backend, RoIAlignGrad, program, [dy, boxes, boxIndices], 'float32', roiUniforms(attrs));
  }
  const winner = runRoIAlign(backend, RoIAlignGrad, {x, boxes, boxIndices}, attrs, 'winner');
  try {
    return runRoIProgram(
        backend, RoIAlignGrad, program, [dy, boxes, boxIndices, winner], 'float32', roiUniforms(attrs));
  } finally {
    backend.disposeData(winner.dataId);
  }
}

export const roiAlignGradConfig: KernelConfig = {
  kernelName: RoIAlignGrad,
  backendName: 'webgpu',
  kernelFunc: roiAlignGrad as unknown as KernelFunc,
};
