import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {PsRoIAlignAttrs, PsRoIAlignBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {psRoiAlignBoxGradImpl} from '../cpu/PsRoIAlignBoxGrad_impl';
import {runGradOnHeap, WasmHeapBackend} from './wasm_heap';

/** dboxes [K,4]: PsRoIAlign's gradient w.r.t. the boxes. */
export function psRoiAlignBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: WasmHeapBackend,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runGradOnHeap(
      backend, inputs, inputs.boxes.shape, (values, out) => psRoiAlignBoxGradImpl(values, attrs, out));
}

export const psRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: PsRoIAlignBoxGrad,
  backendName: 'wasm',
  kernelFunc: psRoiAlignBoxGrad as unknown as KernelFunc,
};
