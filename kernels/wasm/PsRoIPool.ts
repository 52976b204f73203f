import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {PsRoIPool, PsRoIPoolAttrs, RoIInputs} from '../../src/kernel_names';
import {psRoiPoolImpl} from '../cpu/PsRoIPool_impl';
import {psPooledShape} from '../cpu/roi_impl_inputs';
import {runOnHeap, WasmHeapBackend} from './wasm_heap';

/** y [K,outH,outW,C/(outH*outW)]: the mean of each bin's pixels in its own input channel. */
export function psRoiPool(args: {
  inputs: RoIInputs,
  backend: WasmHeapBackend,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runOnHeap(
      backend, inputs, psPooledShape(inputs, attrs), (values, out) => psRoiPoolImpl(values, attrs, out));
}

export const psRoiPoolConfig: KernelConfig = {
  kernelName: PsRoIPool,
  backendName: 'wasm',
  kernelFunc: psRoiPool as unknown as KernelFunc,
};
