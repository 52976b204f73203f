import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {PsRoIPoolAttrs, PsRoIPoolGrad, RoIGradInputs} from '../../src/kernel_names';
import {PsRoIGradProgram} from './ps_roi_webgpu';
import {RoIReachProgram} from './roi_reach_webgpu';
import {nothingToCompute, zerosTensor} from './roi_webgpu_util';
import {dxGatherLayout, runGather} from './gather_webgpu';

/**
 * dx [N,H,W,C], deterministic: a gather over the boxes whose reach holds each
 * pixel. RoIPool's reach serves: its bins start where psRoiPool's do and end
 * no sooner (one more pixel in the size, clipped to the whole map).
 */
export function psRoiPoolGrad(args: {inputs: RoIGradInputs, backend: WebGPUBackend, attrs: PsRoIPoolAttrs}):
    TensorInfo {
  const {inputs, backend, attrs} = args;
  if (nothingToCompute(inputs)) return zerosTensor(backend, inputs.x.shape);
  return runGather(
      backend, PsRoIPoolGrad, new RoIReachProgram(inputs.boxes.shape[0], null),
      new PsRoIGradProgram('psRoiPool', inputs.x.shape, dxGatherLayout(backend, inputs.x.shape)), inputs, attrs);
}

export const psRoiPoolGradConfig: KernelConfig = {
  kernelName: PsRoIPoolGrad,
  backendName: 'webgpu',
  kernelFunc: psRoiPoolGrad as unknown as KernelFunc,
};
