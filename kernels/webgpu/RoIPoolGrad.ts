import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIGradInputs, RoIPoolAttrs, RoIPoolGrad} from '../../src/kernel_names';
import {runRoIPool} from './RoIPool';
import {RoIPoolGradProgram} from './roi_pool_webgpu';
import {isEmpty, roiUniforms, runRoIProgram, zerosTensor} from './roi_webgpu_util';

/**
 * dx [N,H,W,C], deterministic: the forward program records each bin's
 * winning pixel, then every dx element gathers dy from the bins it won.
 */
export function roiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: WebGPUBackend,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  if (isEmpty(x.shape) || boxes.shape[0] === 0) {
    return zerosTensor(backend, x.shape);
  }
  const winner = runRoIPool(backend, RoIPoolGrad, {x, boxes, boxIndices}, attrs, 'winner');
  try {
    return runRoIProgram(
        backend, RoIPoolGrad, new RoIPoolGradProgram(x.shape), [dy, boxes, boxIndices, winner], 'float32',
        roiUniforms(attrs));
  } finally {
    backend.disposeData(winner.dataId);
  }
}

export const roiPoolGradConfig: KernelConfig = {
  kernelName: RoIPoolGrad,
  backendName: 'webgpu',
  kernelFunc: roiPoolGrad as unknown as KernelFunc,
};
