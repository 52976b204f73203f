import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignAttrs, RoIAlignGrad, RoIAlignGradInputs} from '../../src/kernel_names';
import {roiAlignGradImpl} from './RoIAlignGrad_impl';
import {roiAlignGradValues} from './RoIAlignWinners';

// scatter moved to RoIAlignGrad_impl.ts; re-exported for callers that import it from here.
export {scatter} from './RoIAlignGrad_impl';

/** dx [N,H,W,C]: RoIAlign's gradient w.r.t. x. */
export function roiAlignGrad(args: {
  inputs: RoIAlignGradInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = roiAlignGradImpl(roiAlignGradValues(backend, inputs), attrs);
  return backend.makeTensorInfo(inputs.x.shape, 'float32', values);
}

export const roiAlignGradConfig: KernelConfig = {
  kernelName: RoIAlignGrad,
  backendName: 'cpu',
  kernelFunc: roiAlignGrad as unknown as KernelFunc,
};
