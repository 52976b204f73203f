import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {psAlignAsRoIAlign, PsRoIAlignAttrs, PsRoIAlignBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {alignBoxGrad} from './RoIAlignBoxGrad';

/** dboxes [K,4]: RoIAlign's aligned 'avg' box gradient, position-sensitive. */
export function psRoiAlignBoxGrad(args: {inputs: RoIGradInputs, backend: WebGPUBackend, attrs: PsRoIAlignAttrs}):
    TensorInfo {
  return alignBoxGrad(args.backend, PsRoIAlignBoxGrad, args.inputs, psAlignAsRoIAlign(args.attrs), true);
}

export const psRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: PsRoIAlignBoxGrad,
  backendName: 'webgpu',
  kernelFunc: psRoiAlignBoxGrad as unknown as KernelFunc,
};
