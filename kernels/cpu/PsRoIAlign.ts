import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {PsRoIAlign, PsRoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {roiValues} from './cpu_data';
import {psRoiAlignImpl} from './PsRoIAlign_impl';
import {psPooledShape} from './roi_impl_inputs';

/** y [K,outH,outW,C/(outH*outW)]: RoIAlign 'avg' with each bin in its own input channel. */
export function psRoiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = psRoiAlignImpl(roiValues(backend, inputs), attrs);
  return backend.makeTensorInfo(psPooledShape(inputs, attrs), 'float32', values);
}

export const psRoiAlignConfig: KernelConfig = {
  kernelName: PsRoIAlign,
  backendName: 'cpu',
  kernelFunc: psRoiAlign as unknown as KernelFunc,
};
