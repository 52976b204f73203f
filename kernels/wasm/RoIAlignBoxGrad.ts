import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {RoIAlignAttrs, RoIAlignBoxGrad, RoIAlignGradInputs} from '../../src/kernel_names';
import {roiAlignBoxGradImpl} from '../cpu/RoIAlignBoxGrad_impl';
import {heapWinners} from './RoIAlignWinners';
import {runGradOnHeap, WasmHeapBackend} from './wasm_heap';

/** dboxes [K,4]: RoIAlign's gradient w.r.t. the boxes. */
export function roiAlignBoxGrad(args: {
  inputs: RoIAlignGradInputs,
  backend: WasmHeapBackend,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runGradOnHeap(
      backend, inputs, inputs.boxes.shape,
      (values, out) => roiAlignBoxGradImpl({...values, winners: heapWinners(backend, inputs)}, attrs, out));
}

export const roiAlignBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignBoxGrad,
  backendName: 'wasm',
  kernelFunc: roiAlignBoxGrad as unknown as KernelFunc,
};
