import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {roiAlignImpl} from '../cpu/RoIAlign_impl';
import {pooledShape} from '../cpu/roi_impl_inputs';
import {runOnHeap, WasmHeapBackend} from './wasm_heap';

/** y [K,outH,outW,C]: each bin's mean ('avg') or max ('max') over its bilinear samples. */
export function roiAlign(args: {
  inputs: RoIInputs,
  backend: WasmHeapBackend,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runOnHeap(
      backend, inputs, pooledShape(inputs, attrs), (values, out) => roiAlignImpl(values, attrs, out));
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'wasm',
  kernelFunc: roiAlign as unknown as KernelFunc,
};
