import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIGradInputs, RoIPoolAttrs, RoIPoolGrad} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {roiPoolGradImpl} from './RoIPoolGrad_impl';

/** dx [N,H,W,C]: each bin's dy goes to the pixel that won its max, per channel. */
export function roiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = roiPoolGradImpl(roiGradValues(backend, inputs), attrs);
  return backend.makeTensorInfo(inputs.x.shape, 'float32', values);
}

export const roiPoolGradConfig: KernelConfig = {
  kernelName: RoIPoolGrad,
  backendName: 'cpu',
  kernelFunc: roiPoolGrad as unknown as KernelFunc,
};
