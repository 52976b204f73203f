import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {RoIAlignRotatedAttrs, RoIAlignRotatedGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiAlignRotatedGradImpl} from '../cpu/RoIAlignRotatedGrad_impl';
import {runGradOnHeap, WasmHeapBackend} from './wasm_heap';

/** dx [N,H,W,C]: RoIAlignRotated's gradient w.r.t. x. */
export function roiAlignRotatedGrad(args: {
  inputs: RoIGradInputs,
  backend: WasmHeapBackend,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runGradOnHeap(
      backend, inputs, inputs.x.shape, (values, out) => roiAlignRotatedGradImpl(values, attrs, out));
}

export const roiAlignRotatedGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedGrad,
  backendName: 'wasm',
  kernelFunc: roiAlignRotatedGrad as unknown as KernelFunc,
};
