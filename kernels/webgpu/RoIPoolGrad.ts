import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIGradInputs, RoIPoolAttrs, RoIPoolGrad} from '../../src/kernel_names';
import {runRoIPool} from './RoIPool';
import {RoIPoolGradProgram} from './roi_pool_webgpu';
import {RoIReachProgram} from './roi_reach_webgpu';
import {nothingToCompute, zerosTensor} from './roi_webgpu_util';
import {dxGatherLayout, runGather} from './gather_webgpu';

/**
 * dx [N,H,W,C], deterministic: the forward program records each bin's
 * winning pixel, then every dx element gathers dy from the bins it won,
 * scanning only the boxes whose reach (a first pass) holds its pixel.
 */
export function roiPoolGrad(args: {inputs: RoIGradInputs, backend: WebGPUBackend, attrs: RoIPoolAttrs}):
    TensorInfo {
  const {inputs, backend, attrs} = args;
  if (nothingToCompute(inputs)) return zerosTensor(backend, inputs.x.shape);
  const winner = runRoIPool(backend, RoIPoolGrad, inputs, attrs, 'winner');
  return runGather(
      backend, RoIPoolGrad, new RoIReachProgram(inputs.boxes.shape[0], null), new RoIPoolGradProgram(inputs.x.shape, dxGatherLayout(backend, inputs.x.shape)),
      {...inputs, winner}, attrs, [], [winner]);
}

export const roiPoolGradConfig: KernelConfig = {
  kernelName: RoIPoolGrad,
  backendName: 'webgpu',
  kernelFunc: roiPoolGrad as unknown as KernelFunc,
};
