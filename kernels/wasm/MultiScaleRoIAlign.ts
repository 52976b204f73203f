import type {DataType, KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {MultiScaleRoIAlign, MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIList} from '../../src/kernel_names';
import {LevelValues, multiScaleRoiAlignImpl} from '../cpu/multi_scale_roi_align_impl';
import {WasmHeapBackend} from './wasm_heap';

/** A MultiScaleRoIAlign kernel's inputs, viewed in place in the wasm heap. */
export function multiScaleHeapValues(
    backend: WasmHeapBackend, list: MultiScaleRoIList, attrs: MultiScaleRoIAlignAttrs) {
  const {boxes, boxIndices, levels, dy, winners} = multiScaleInputs(list, attrs);
  return {
    levels: levels.map((x): LevelValues => ({values: backend.typedArrayFromHeap(x) as Float32Array, shape: x.shape})),
    boxes: backend.typedArrayFromHeap(boxes),
    boxIndices: backend.typedArrayFromHeap(boxIndices),
    dy: dy === undefined ? new Float32Array(0) : backend.typedArrayFromHeap(dy) as Float32Array,
    winners: winners === undefined ? undefined : backend.typedArrayFromHeap(winners) as Int32Array,
    boxesShape: boxes.shape,
  };
}

/**
 * A tensor in the heap holding `values`. The multi-level implementation
 * returns its own arrays (one per level for dx), so each output costs one
 * copy; it is made after the inputs were read, because an allocation may grow
 * the heap and empty the views made before it.
 */
export function heapTensor(
    backend: WasmHeapBackend, shape: number[], values: Float32Array, dtype: DataType = 'float32'): TensorInfo {
  const output = backend.makeOutput(shape, dtype);
  (backend.typedArrayFromHeap(output) as Float32Array).set(values);
  return output;
}

export function multiScaleRoiAlign(args: {
  inputs: MultiScaleRoIList,
  backend: WasmHeapBackend,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {levels, boxes, boxIndices, boxesShape} = multiScaleHeapValues(backend, inputs, attrs);
  const y = multiScaleRoiAlignImpl(levels, boxes, boxIndices, attrs);
  return heapTensor(backend, [boxesShape[0], attrs.pooledHeight, attrs.pooledWidth, levels[0].shape[3]], y);
}

export const multiScaleRoiAlignConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlign,
  backendName: 'wasm',
  kernelFunc: multiScaleRoiAlign as unknown as KernelFunc,
};
