import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIAlignWinners, MultiScaleRoIList} from '../../src/kernel_names';
import {multiScaleRoiAlignWinnersImpl} from '../cpu/multi_scale_roi_align_impl';
import {multiScaleHeapValues} from './MultiScaleRoIAlign';
import {WasmHeapBackend} from './wasm_heap';

/**
 * 'max' mode's winners, int32 [K,outH,outW,C], each box's at its level (see
 * MultiScaleRoIAlignWinners), written in the heap.
 */
export function multiScaleRoiAlignWinners(args: {
  inputs: MultiScaleRoIList,
  backend: WasmHeapBackend,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {boxes, levels} = multiScaleInputs(inputs, attrs);
  const output =
      backend.makeOutput([boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, levels[0].shape[3]], 'int32');
  try {
    // Viewed after makeOutput: its allocation may grow the heap, which
    // empties the views made before it.
    const values = multiScaleHeapValues(backend, inputs, attrs);
    multiScaleRoiAlignWinnersImpl(
        values.levels, values.boxes, values.boxIndices, attrs, backend.typedArrayFromHeap(output) as Int32Array);
  } catch (e) {
    backend.disposeData(output.dataId, true);
    throw e;
  }
  return output;
}

export const multiScaleRoiAlignWinnersConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignWinners,
  backendName: 'wasm',
  kernelFunc: multiScaleRoiAlignWinners as unknown as KernelFunc,
};
