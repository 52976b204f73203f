import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {RoIGradInputs, RoIPoolAttrs, RoIPoolGrad} from '../../src/kernel_names';
import {roiPoolGradImpl} from '../cpu/RoIPoolGrad_impl';
import {runGradOnHeap, WasmHeapBackend} from './wasm_heap';

/** dx [N,H,W,C]: each bin's dy goes to the pixel that won its max, per channel. */
export function roiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: WasmHeapBackend,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runGradOnHeap(
      backend, inputs, inputs.x.shape, (values, out) => roiPoolGradImpl(values, attrs, out));
}

export const roiPoolGradConfig: KernelConfig = {
  kernelName: RoIPoolGrad,
  backendName: 'wasm',
  kernelFunc: roiPoolGrad as unknown as KernelFunc,
};
