import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignAttrs, RoIAlignGradInputs, RoIAlignWinners, RoIInputs} from '../../src/kernel_names';
import {cpuValues, roiGradValues, roiValues} from './cpu_data';
import {pooledShape} from './roi_impl_inputs';
import {RoIAlignGradImplInputs, roiAlignWinnersImpl} from './RoIAlignWinners_impl';

/** 'max' mode's winners, int32 [K,outH,outW,C] (see RoIAlignWinners). */
export function roiAlignWinners(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const values = roiAlignWinnersImpl(roiValues(backend, inputs), attrs);
  return backend.makeTensorInfo(pooledShape(inputs, attrs), 'int32', values);
}

/** A RoIAlign gradient's inputs as the cpu backend holds them, winners included when given. */
export function roiAlignGradValues(backend: MathBackendCPU, inputs: RoIAlignGradInputs): RoIAlignGradImplInputs {
  const winners = inputs.winners === undefined ? undefined : cpuValues(backend, inputs.winners) as Int32Array;
  return {...roiGradValues(backend, inputs), winners};
}

export const roiAlignWinnersConfig: KernelConfig = {
  kernelName: RoIAlignWinners,
  backendName: 'cpu',
  kernelFunc: roiAlignWinners as unknown as KernelFunc,
};
