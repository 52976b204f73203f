import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {MultiScaleRoIAlignAttrs, MultiScaleRoIAlignBoxGrad, MultiScaleRoIList} from '../../src/kernel_names';
import {multiScaleValues} from './MultiScaleRoIAlign';
import {multiScaleRoiAlignBoxGradImpl} from './multi_scale_roi_align_impl';

export function multiScaleRoiAlignBoxGrad(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendCPU,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {levels, boxes, boxIndices, dy, boxesShape, winners} = multiScaleValues(backend, inputs, attrs);
  const dboxes = multiScaleRoiAlignBoxGradImpl(levels, dy, boxes, boxIndices, attrs, winners);
  return backend.makeTensorInfo(boxesShape, 'float32', dboxes);
}

export const multiScaleRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignBoxGrad,
  backendName: 'cpu',
  kernelFunc: multiScaleRoiAlignBoxGrad as unknown as KernelFunc,
};
