import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {PsRoIAlign, PsRoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {PsRoIAlignProgram} from './ps_roi_webgpu';
import {checkSamplingRatio, nothingToCompute, pooledShape, runOnRoITensors, zerosTensor} from './roi_webgpu_util';

/** y [K,outH,outW,C/(outH*outW)] of a position-sensitive op. */
export function psPooledShape(inputs: RoIInputs, attrs: {pooledHeight: number, pooledWidth: number}): number[] {
  return pooledShape(inputs, attrs, inputs.x.shape[3] / (attrs.pooledHeight * attrs.pooledWidth));
}

export function psRoiAlign(args: {inputs: RoIInputs, backend: WebGPUBackend, attrs: PsRoIAlignAttrs}): TensorInfo {
  const {inputs, backend, attrs} = args;
  checkSamplingRatio(PsRoIAlign, attrs);
  const shape = psPooledShape(inputs, attrs);
  if (nothingToCompute(inputs)) return zerosTensor(backend, shape);
  return runOnRoITensors(
      backend, PsRoIAlign, new PsRoIAlignProgram(shape, attrs.samplingRatio), inputs, attrs, 'float32');
}

export const psRoiAlignConfig: KernelConfig = {
  kernelName: PsRoIAlign,
  backendName: 'webgpu',
  kernelFunc: psRoiAlign as unknown as KernelFunc,
};
