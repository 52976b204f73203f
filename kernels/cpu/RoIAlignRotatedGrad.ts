import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignRotatedAttrs, RoIAlignRotatedGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {roiAlignRotatedGradImpl} from './RoIAlignRotatedGrad_impl';

/** dx [N,H,W,C]: RoIAlignRotated's gradient w.r.t. x. */
export function roiAlignRotatedGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = roiAlignRotatedGradImpl(roiGradValues(backend, inputs), attrs);
  return backend.makeTensorInfo(inputs.x.shape, 'float32', values);
}

export const roiAlignRotatedGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedGrad,
  backendName: 'cpu',
  kernelFunc: roiAlignRotatedGrad as unknown as KernelFunc,
};
