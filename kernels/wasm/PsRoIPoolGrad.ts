import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {PsRoIPoolAttrs, PsRoIPoolGrad, RoIGradInputs} from '../../src/kernel_names';
import {psRoiPoolGradImpl} from '../cpu/PsRoIPoolGrad_impl';
import {runGradOnHeap, WasmHeapBackend} from './wasm_heap';

/** dx [N,H,W,C]: each bin spreads dy / area over the pixels the forward averaged. */
export function psRoiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: WasmHeapBackend,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runGradOnHeap(
      backend, inputs, inputs.x.shape, (values, out) => psRoiPoolGradImpl(values, attrs, out));
}

export const psRoiPoolGradConfig: KernelConfig = {
  kernelName: PsRoIPoolGrad,
  backendName: 'wasm',
  kernelFunc: psRoiPoolGrad as unknown as KernelFunc,
};
