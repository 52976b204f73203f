import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {PsRoIAlignAttrs, PsRoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {psRoiAlignGradImpl} from './PsRoIAlignGrad_impl';

/** dx [N,H,W,C]: PsRoIAlign's gradient w.r.t. x. */
export function psRoiAlignGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = psRoiAlignGradImpl(roiGradValues(backend, inputs), attrs);
  return backend.makeTensorInfo(inputs.x.shape, 'float32', values);
}

export const psRoiAlignGradConfig: KernelConfig = {
  kernelName: PsRoIAlignGrad,
  backendName: 'cpu',
  kernelFunc: psRoiAlignGrad as unknown as KernelFunc,
};
