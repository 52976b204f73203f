import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {PsRoIAlignAttrs, PsRoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {psRoiAlignGradImpl} from '../cpu/PsRoIAlignGrad_impl';
import {runGradOnHeap, WasmHeapBackend} from './wasm_heap';

/** dx [N,H,W,C]: PsRoIAlign's gradient w.r.t. x. */
export function psRoiAlignGrad(args: {
  inputs: RoIGradInputs,
  backend: WasmHeapBackend,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runGradOnHeap(
      backend, inputs, inputs.x.shape, (values, out) => psRoiAlignGradImpl(values, attrs, out));
}

export const psRoiAlignGradConfig: KernelConfig = {
  kernelName: PsRoIAlignGrad,
  backendName: 'wasm',
  kernelFunc: psRoiAlignGrad as unknown as KernelFunc,
};
