import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {psAlignAsRoIAlign, PsRoIAlign, PsRoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {runRoIAlign} from './RoIAlign';
import {nothingToCompute, pooledShape, zerosTensor} from './roi_webgpu_util';

/** y [K,outH,outW,C/(outH*outW)] of a position-sensitive op. */
export function psPooledShape(inputs: RoIInputs, attrs: {pooledHeight: number, pooledWidth: number}): number[] {
  return pooledShape(inputs, attrs, inputs.x.shape[3] / (attrs.pooledHeight * attrs.pooledWidth));
}

/** y: RoIAlign's aligned 'avg' forward program, position-sensitive. */
export function psRoiAlign(args: {inputs: RoIInputs, backend: WebGPUBackend, attrs: PsRoIAlignAttrs}): TensorInfo {
  const {inputs, backend, attrs} = args;
  if (nothingToCompute(inputs)) return zerosTensor(backend, psPooledShape(inputs, attrs));
  return runRoIAlign(backend, PsRoIAlign, inputs, psAlignAsRoIAlign(attrs), 'value', true);
}

export const psRoiAlignConfig: KernelConfig = {
  kernelName: PsRoIAlign,
  backendName: 'webgpu',
  kernelFunc: psRoiAlign as unknown as KernelFunc,
};
