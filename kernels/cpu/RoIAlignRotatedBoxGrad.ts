import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignRotatedAttrs, RoIAlignRotatedBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {roiAlignRotatedBoxGradImpl} from './RoIAlignRotatedBoxGrad_impl';

/** dboxes [K,5]: RoIAlignRotated's gradient w.r.t. the boxes. */
export function roiAlignRotatedBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = roiAlignRotatedBoxGradImpl(roiGradValues(backend, inputs), attrs);
  return backend.makeTensorInfo(inputs.boxes.shape, 'float32', values);
}

export const roiAlignRotatedBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedBoxGrad,
  backendName: 'cpu',
  kernelFunc: roiAlignRotatedBoxGrad as unknown as KernelFunc,
};
