import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {roiValues} from './cpu_data';
import {roiAlignImpl} from './RoIAlign_impl';
import {pooledShape} from './roi_impl_inputs';

/** y [K,outH,outW,C]: each bin's mean ('avg') or max ('max') over its bilinear samples. */
export function roiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = roiAlignImpl(roiValues(backend, inputs), attrs);
  return backend.makeTensorInfo(pooledShape(inputs, attrs), 'float32', values);
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'cpu',
  kernelFunc: roiAlign as unknown as KernelFunc,
};
