import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {levelRoIAlignAttrs, MultiScaleRoIAlign, MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIList} from '../../src/kernel_names';
import {MultiScaleRoIAlignProgram, multiScaleUniformValues} from './multi_scale_roi_align_webgpu';
import {checkSamplingRatio, runRoIProgram, zerosTensor} from './roi_webgpu_util';

/** y in one dispatch: every output element samples its box's own level. */
export function multiScaleRoiAlign(args: {
  inputs: MultiScaleRoIList,
  backend: WebGPUBackend,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  const {backend, attrs} = args;
  const {boxes, boxIndices, levels} = multiScaleInputs(args.inputs, attrs);
  checkSamplingRatio(MultiScaleRoIAlign, levelRoIAlignAttrs(attrs, 0));
  const channels = levels[0].shape[3];
  const shape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, channels];
  if (shape.some(d => d === 0) || levels.some(x => x.shape.some(d => d === 0))) {
    return zerosTensor(backend, shape);
  }
  // As RoIAlign: four channels per invocation when C % 4 == 0.
  const lanes = channels % 4 === 0 ? 4 : 1;
  const program = new MultiScaleRoIAlignProgram(
      shape, levels.length, attrs.mode, attrs.aligned, lanes);
  return runRoIProgram(
      backend, MultiScaleRoIAlign, program, [boxes, boxIndices, ...levels], 'float32',
      multiScaleUniformValues(levels.map(x => x.shape), boxes.shape[0], attrs));
}

export const multiScaleRoiAlignConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlign,
  backendName: 'webgpu',
  kernelFunc: multiScaleRoiAlign as unknown as KernelFunc,
};
