import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIInputs, RoIPool, RoIPoolAttrs} from '../../src/kernel_names';
import {roiValues} from './cpu_data';
import {roiPoolImpl} from './RoIPool_impl';
import {pooledShape} from './roi_impl_inputs';

/** y [K,outH,outW,C]: each bin's max per channel. */
export function roiPool(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = roiPoolImpl(roiValues(backend, inputs), attrs);
  return backend.makeTensorInfo(pooledShape(inputs, attrs), 'float32', values);
}

export const roiPoolConfig: KernelConfig = {
  kernelName: RoIPool,
  backendName: 'cpu',
  kernelFunc: roiPool as unknown as KernelFunc,
};
