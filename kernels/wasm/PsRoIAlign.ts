import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {PsRoIAlign, PsRoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {psRoiAlignImpl} from '../cpu/PsRoIAlign_impl';
import {psPooledShape} from '../cpu/roi_impl_inputs';
import {runOnHeap, WasmHeapBackend} from './wasm_heap';

/** y [K,outH,outW,C/(outH*outW)]: RoIAlign 'avg' with each bin in its own input channel. */
export function psRoiAlign(args: {
  inputs: RoIInputs,
  backend: WasmHeapBackend,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runOnHeap(
      backend, inputs, psPooledShape(inputs, attrs), (values, out) => psRoiAlignImpl(values, attrs, out));
}

export const psRoiAlignConfig: KernelConfig = {
  kernelName: PsRoIAlign,
  backendName: 'wasm',
  kernelFunc: psRoiAlign as unknown as KernelFunc,
};
