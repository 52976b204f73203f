import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {MultiScaleRoIAlignAttrs, MultiScaleRoIAlignBoxGrad, MultiScaleRoIList} from '../../src/kernel_names';
import {forEachLevelOnDevice, sumOnBackend} from './MultiScaleRoIAlignGrad';
import {alignBoxGrad} from './RoIAlignBoxGrad';

/**
 * dboxes [K,4]: RoIAlign's box gradient per level on that level's boxes
 * (zero rows for the others), summed; each row is nonzero at one level only,
 * so the sum is exact.
 */
export function multiScaleRoiAlignBoxGrad(args: {
  inputs: MultiScaleRoIList,
  backend: WebGPUBackend,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return sumOnBackend(backend, forEachLevelOnDevice(
      backend, MultiScaleRoIAlignBoxGrad, inputs, attrs,
      (levelInputs, levelAttrs) => alignBoxGrad(backend, MultiScaleRoIAlignBoxGrad, levelInputs, levelAttrs, false)));
}

export const multiScaleRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignBoxGrad,
  backendName: 'webgpu',
  kernelFunc: multiScaleRoiAlignBoxGrad as unknown as KernelFunc,
};
