import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {RoIAlignAttrs, RoIAlignGrad, RoIAlignGradInputs} from '../../src/kernel_names';
import {roiAlignGradImpl} from '../cpu/RoIAlignGrad_impl';
import {heapWinners} from './RoIAlignWinners';
import {runGradOnHeap, WasmHeapBackend} from './wasm_heap';

/** dx [N,H,W,C]: RoIAlign's gradient w.r.t. x. */
export function roiAlignGrad(args: {
  inputs: RoIAlignGradInputs,
  backend: WasmHeapBackend,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runGradOnHeap(
      backend, inputs, inputs.x.shape,
      (values, out) => roiAlignGradImpl({...values, winners: heapWinners(backend, inputs)}, attrs, out));
}

export const roiAlignGradConfig: KernelConfig = {
  kernelName: RoIAlignGrad,
  backendName: 'wasm',
  kernelFunc: roiAlignGrad as unknown as KernelFunc,
};
