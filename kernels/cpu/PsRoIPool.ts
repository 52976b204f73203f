import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {PsRoIPool, PsRoIPoolAttrs, RoIInputs} from '../../src/kernel_names';
import {roiValues} from './cpu_data';
import {psRoiPoolImpl} from './PsRoIPool_impl';
import {psPooledShape} from './roi_impl_inputs';

/** y [K,outH,outW,C/(outH*outW)]: the mean of each bin's pixels in its own input channel. */
export function psRoiPool(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = psRoiPoolImpl(roiValues(backend, inputs), attrs);
  return backend.makeTensorInfo(psPooledShape(inputs, attrs), 'float32', values);
}

export const psRoiPoolConfig: KernelConfig = {
  kernelName: PsRoIPool,
  backendName: 'cpu',
  kernelFunc: psRoiPool as unknown as KernelFunc,
};
