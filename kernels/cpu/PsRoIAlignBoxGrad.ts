import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {PsRoIAlignAttrs, PsRoIAlignBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {psRoiAlignBoxGradImpl} from './PsRoIAlignBoxGrad_impl';

/** dboxes [K,4]: PsRoIAlign's gradient w.r.t. the boxes. */
export function psRoiAlignBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = psRoiAlignBoxGradImpl(roiGradValues(backend, inputs), attrs);
  return backend.makeTensorInfo(inputs.boxes.shape, 'float32', values);
}

export const psRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: PsRoIAlignBoxGrad,
  backendName: 'cpu',
  kernelFunc: psRoiAlignBoxGrad as unknown as KernelFunc,
};
