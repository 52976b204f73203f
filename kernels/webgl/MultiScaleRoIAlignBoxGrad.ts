import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {MultiScaleRoIAlignAttrs, MultiScaleRoIAlignBoxGrad, MultiScaleRoIList} from '../../src/kernel_names';
import {forEachLevelOnGpu, sumOnGpu} from './MultiScaleRoIAlignGrad';
import {alignBoxGrad} from './RoIAlignBoxGrad';
import {requireWebGL2} from './run_roi_program';

/**
 * dboxes [K,4]: RoIAlign's box gradient per level on that level's boxes
 * (zero rows for the others), summed; each row is nonzero at one level only,
 * so the sum is exact.
 */
export function multiScaleRoiAlignBoxGrad(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendWebGL,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(MultiScaleRoIAlignBoxGrad);
  const {inputs, backend, attrs} = args;
  return sumOnGpu(backend, forEachLevelOnGpu(
      backend, inputs, attrs, (levelInputs, levelAttrs) => alignBoxGrad(backend, levelInputs, levelAttrs, false)));
}

export const multiScaleRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignBoxGrad,
  backendName: 'webgl',
  kernelFunc: multiScaleRoiAlignBoxGrad as unknown as KernelFunc,
};
