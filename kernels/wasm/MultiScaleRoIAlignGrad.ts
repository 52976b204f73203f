import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {MultiScaleRoIAlignAttrs, MultiScaleRoIAlignGrad, MultiScaleRoIList} from '../../src/kernel_names';
import {multiScaleRoiAlignGradImpl} from '../cpu/multi_scale_roi_align_impl';
import {heapTensor, multiScaleHeapValues} from './MultiScaleRoIAlign';
import {WasmHeapBackend} from './wasm_heap';

/** dx of every level: one output per level. */
export function multiScaleRoiAlignGrad(args: {
  inputs: MultiScaleRoIList,
  backend: WasmHeapBackend,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo[] {
  const {inputs, backend, attrs} = args;
  const {levels, boxes, boxIndices, dy, winners} = multiScaleHeapValues(backend, inputs, attrs);
  const shapes = levels.map(level => level.shape);
  const dxs = multiScaleRoiAlignGradImpl(levels, dy, boxes, boxIndices, attrs, winners);
  return dxs.map((dx, l) => heapTensor(backend, shapes[l], dx));
}

export const multiScaleRoiAlignGradConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignGrad,
  backendName: 'wasm',
  kernelFunc: multiScaleRoiAlignGrad as unknown as KernelFunc,
};
