import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignAttrs, RoIAlignBoxGrad, RoIAlignGradInputs} from '../../src/kernel_names';
import {roiAlignBoxGradImpl} from './RoIAlignBoxGrad_impl';
import {roiAlignGradValues} from './RoIAlignWinners';

// The slopes moved to RoIAlignBoxGrad_impl.ts; re-exported for callers that import them from here.
export {slopeAlongCols, slopeAlongRows} from './RoIAlignBoxGrad_impl';

/** dboxes [K,4]: RoIAlign's gradient w.r.t. the boxes. */
export function roiAlignBoxGrad(args: {
  inputs: RoIAlignGradInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = roiAlignBoxGradImpl(roiAlignGradValues(backend, inputs), attrs);
  return backend.makeTensorInfo(inputs.boxes.shape, 'float32', values);
}

export const roiAlignBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignBoxGrad,
  backendName: 'cpu',
  kernelFunc: roiAlignBoxGrad as unknown as KernelFunc,
};
