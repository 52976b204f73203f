import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {PsRoIPoolAttrs, PsRoIPoolGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {psRoiPoolGradImpl} from './PsRoIPoolGrad_impl';

/** dx [N,H,W,C]: each bin spreads dy / area over the pixels the forward averaged. */
export function psRoiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = psRoiPoolGradImpl(roiGradValues(backend, inputs), attrs);
  return backend.makeTensorInfo(inputs.x.shape, 'float32', values);
}

export const psRoiPoolGradConfig: KernelConfig = {
  kernelName: PsRoIPoolGrad,
  backendName: 'cpu',
  kernelFunc: psRoiPoolGrad as unknown as KernelFunc,
};
