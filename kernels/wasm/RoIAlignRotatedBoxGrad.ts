import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {RoIAlignRotatedAttrs, RoIAlignRotatedBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiAlignRotatedBoxGradImpl} from '../cpu/RoIAlignRotatedBoxGrad_impl';
import {runGradOnHeap, WasmHeapBackend} from './wasm_heap';

/** dboxes [K,5]: RoIAlignRotated's gradient w.r.t. the boxes. */
export function roiAlignRotatedBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: WasmHeapBackend,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runGradOnHeap(
      backend, inputs, inputs.boxes.shape, (values, out) => roiAlignRotatedBoxGradImpl(values, attrs, out));
}

export const roiAlignRotatedBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedBoxGrad,
  backendName: 'wasm',
  kernelFunc: roiAlignRotatedBoxGrad as unknown as KernelFunc,
};
