import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {RoIAlignAttrs, RoIAlignGradInputs, RoIAlignWinners, RoIInputs} from '../../src/kernel_names';
import {pooledShape} from '../cpu/roi_impl_inputs';
import {roiAlignWinnersImpl} from '../cpu/RoIAlignWinners_impl';
import {runOnHeapInt32, WasmHeapBackend} from './wasm_heap';

/** 'max' mode's winners, int32 [K,outH,outW,C] (see RoIAlignWinners), written in the heap. */
export function roiAlignWinners(args: {
  inputs: RoIInputs,
  backend: WasmHeapBackend,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  return runOnHeapInt32(
      backend, inputs, pooledShape(inputs, attrs), (values, out) => roiAlignWinnersImpl(values, attrs, out));
}

/**
 * A gradient's winners where they lie in the heap, or undefined when not
 * given. Call it where the other inputs are viewed (after the output is
 * allocated): see wasm_heap.ts.
 */
export function heapWinners(backend: WasmHeapBackend, inputs: RoIAlignGradInputs): Int32Array|undefined {
  return inputs.winners === undefined ? undefined : backend.typedArrayFromHeap(inputs.winners) as Int32Array;
}

export const roiAlignWinnersConfig: KernelConfig = {
  kernelName: RoIAlignWinners,
  backendName: 'wasm',
  kernelFunc: roiAlignWinners as unknown as KernelFunc,
};
