import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignRotated, RoIAlignRotatedAttrs, RoIInputs} from '../../src/kernel_names';
import {roiValues} from './cpu_data';
import {roiAlignRotatedImpl} from './RoIAlignRotated_impl';
import {pooledShape} from './roi_impl_inputs';

/** y [K,outH,outW,C]: each rotated bin's mean over its samples. */
export function roiAlignRotated(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = roiAlignRotatedImpl(roiValues(backend, inputs), attrs);
  return backend.makeTensorInfo(pooledShape(inputs, attrs), 'float32', values);
}

export const roiAlignRotatedConfig: KernelConfig = {
  kernelName: RoIAlignRotated,
  backendName: 'cpu',
  kernelFunc: roiAlignRotated as unknown as KernelFunc,
};
