import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIAlignAttrs, RoIAlignGradInputs, RoIAlignWinners, RoIInputs} from '../../src/kernel_names';
import {runRoIAlign} from './RoIAlign';
import {nothingToCompute, pooledShape} from './roi_webgpu_util';

/**
 * 'max' mode's winners, int32 [K,outH,outW,C] (see RoIAlignWinners): the
 * forward program's 'winner' output, whatever attrs.mode says. With nothing
 * to compute, -1 everywhere, written without a dispatch.
 */
export function roiAlignWinners(args: {inputs: RoIInputs, backend: WebGPUBackend, attrs: RoIAlignAttrs}):
    TensorInfo {
  const {inputs, backend, attrs} = args;
  if (nothingToCompute(inputs)) {
    const shape = pooledShape(inputs, attrs);
    return backend.makeTensorInfo(shape, 'int32', new Int32Array(shape.reduce((a, b) => a * b, 1)).fill(-1));
  }
  return runRoIAlign(backend, RoIAlignWinners, inputs, {...attrs, mode: 'max'}, 'winner');
}

/**
 * The winners a RoIAlign gradient reads: the caller's (kept), or for a
 * direct call without them computed here, which the caller then releases
 * (`owned`). null in 'avg' mode.
 */
export function gradientWinners(
    backend: WebGPUBackend, kernelName: string, inputs: RoIAlignGradInputs,
    attrs: RoIAlignAttrs): {winner: TensorInfo|null, owned: TensorInfo|null} {
  if (attrs.mode !== 'max') return {winner: null, owned: null};
  if (inputs.winners !== undefined) return {winner: inputs.winners, owned: null};
  const owned = runRoIAlign(backend, kernelName, inputs, attrs, 'winner');
  return {winner: owned, owned};
}

export const roiAlignWinnersConfig: KernelConfig = {
  kernelName: RoIAlignWinners,
  backendName: 'webgpu',
  kernelFunc: roiAlignWinners as unknown as KernelFunc,
};
