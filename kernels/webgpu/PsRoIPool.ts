import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {PsRoIPool, PsRoIPoolAttrs, RoIInputs} from '../../src/kernel_names';
import {psPooledShape} from './PsRoIAlign';
import {PsRoIPoolProgram} from './ps_roi_webgpu';
import {nothingToCompute, runOnRoITensors, zerosTensor} from './roi_webgpu_util';

export function psRoiPool(args: {inputs: RoIInputs, backend: WebGPUBackend, attrs: PsRoIPoolAttrs}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const shape = psPooledShape(inputs, attrs);
  if (nothingToCompute(inputs)) return zerosTensor(backend, shape);
  return runOnRoITensors(backend, PsRoIPool, new PsRoIPoolProgram(shape), inputs, attrs, 'float32');
}

export const psRoiPoolConfig: KernelConfig = {
  kernelName: PsRoIPool,
  backendName: 'webgpu',
  kernelFunc: psRoiPool as unknown as KernelFunc,
};
