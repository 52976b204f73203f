import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {MultiScaleRoIAlignAttrs, MultiScaleRoIAlignGrad, MultiScaleRoIList} from '../../src/kernel_names';
import {multiScaleValues} from './MultiScaleRoIAlign';
import {multiScaleRoiAlignGradImpl} from './multi_scale_roi_align_impl';

/** dx of every level: one output per level. */
export function multiScaleRoiAlignGrad(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendCPU,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo[] {
  const {inputs, backend, attrs} = args;
  const {levels, boxes, boxIndices, dy, winners} = multiScaleValues(backend, inputs, attrs);
  const dxs = multiScaleRoiAlignGradImpl(levels, dy, boxes, boxIndices, attrs, winners);
  return dxs.map((dx, l) => backend.makeTensorInfo(levels[l].shape, 'float32', dx));
}

export const multiScaleRoiAlignGradConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignGrad,
  backendName: 'cpu',
  kernelFunc: multiScaleRoiAlignGrad as unknown as KernelFunc,
};
