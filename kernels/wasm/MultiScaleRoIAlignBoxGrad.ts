import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';

import {MultiScaleRoIAlignAttrs, MultiScaleRoIAlignBoxGrad, MultiScaleRoIList} from '../../src/kernel_names';
import {multiScaleRoiAlignBoxGradImpl} from '../cpu/multi_scale_roi_align_impl';
import {heapTensor, multiScaleHeapValues} from './MultiScaleRoIAlign';
import {WasmHeapBackend} from './wasm_heap';

export function multiScaleRoiAlignBoxGrad(args: {
  inputs: MultiScaleRoIList,
  backend: WasmHeapBackend,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {levels, boxes, boxIndices, dy, boxesShape, winners} = multiScaleHeapValues(backend, inputs, attrs);
  const dboxes = multiScaleRoiAlignBoxGradImpl(levels, dy, boxes, boxIndices, attrs, winners);
  return heapTensor(backend, boxesShape, dboxes);
}

export const multiScaleRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignBoxGrad,
  backendName: 'wasm',
  kernelFunc: multiScaleRoiAlignBoxGrad as unknown as KernelFunc,
};
