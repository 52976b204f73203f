import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {RoIInputs, RoIPool, RoIPoolAttrs} from '../../src/kernel_names';
import {roiPoolImpl} from '../cpu/RoIPool_impl';
import {pooledShape} from '../cpu/roi_impl_inputs';
import {runOnHeap, WasmHeapBackend} from './wasm_heap';

/** y [K,outH,outW,C]: each bin's max per channel. */
export function roiPool(args: {
  inputs: RoIInputs,
  backend: WasmHeapBackend,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runOnHeap(
      backend, inputs, pooledShape(inputs, attrs), (values, out) => roiPoolImpl(values, attrs, out));
}

export const roiPoolConfig: KernelConfig = {
  kernelName: RoIPool,
  backendName: 'wasm',
  kernelFunc: roiPool as unknown as KernelFunc,
};
