import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {RoIAlignRotated, RoIAlignRotatedAttrs, RoIInputs} from '../../src/kernel_names';
import {roiAlignRotatedImpl} from '../cpu/RoIAlignRotated_impl';
import {pooledShape} from '../cpu/roi_impl_inputs';
import {runOnHeap, WasmHeapBackend} from './wasm_heap';

/** y [K,outH,outW,C]: each rotated bin's mean over its samples. */
export function roiAlignRotated(args: {
  inputs: RoIInputs,
  backend: WasmHeapBackend,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runOnHeap(
      backend, inputs, pooledShape(inputs, attrs), (values, out) => roiAlignRotatedImpl(values, attrs, out));
}

export const roiAlignRotatedConfig: KernelConfig = {
  kernelName: RoIAlignRotated,
  backendName: 'wasm',
  kernelFunc: roiAlignRotated as unknown as KernelFunc,
};
