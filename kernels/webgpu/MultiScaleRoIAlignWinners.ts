import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {levelRoIAlignAttrs, MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIAlignWinners, MultiScaleRoIList} from '../../src/kernel_names';
import {MultiScaleRoIAlignProgram, multiScaleUniformValues} from './multi_scale_roi_align_webgpu';
import {checkSamplingRatio, runRoIProgram} from './roi_webgpu_util';

/**
 * 'max' mode's winners, int32 [K,outH,outW,C] (see
 * MultiScaleRoIAlignWinners): the forward program's 'winner' output, each
 * box at its own level, in one dispatch, whatever attrs.mode says. With
 * nothing to compute, -1 everywhere, written without a dispatch.
 */
export function multiScaleRoiAlignWinners(args: {
  inputs: MultiScaleRoIList,
  backend: WebGPUBackend,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  const {backend, attrs} = args;
  const {boxes, boxIndices, levels} = multiScaleInputs(args.inputs, attrs);
  checkSamplingRatio(MultiScaleRoIAlignWinners, levelRoIAlignAttrs(attrs, 0));
  const channels = levels[0].shape[3];
  const shape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, channels];
  if (shape.some(d => d === 0) || levels.some(x => x.shape.some(d => d === 0))) {
    return backend.makeTensorInfo(shape, 'int32', new Int32Array(shape.reduce((a, b) => a * b, 1)).fill(-1));
  }
  // As the forward: four channels per invocation when C % 4 == 0.
  const lanes = channels % 4 === 0 ? 4 : 1;
  const program = new MultiScaleRoIAlignProgram(shape, levels.length, 'max', attrs.aligned, lanes, 'winner');
  return runRoIProgram(
      backend, MultiScaleRoIAlignWinners, program, [boxes, boxIndices, ...levels], 'int32',
      multiScaleUniformValues(levels.map(x => x.shape), boxes.shape[0], attrs));
}

export const multiScaleRoiAlignWinnersConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignWinners,
  backendName: 'webgpu',
  kernelFunc: multiScaleRoiAlignWinners as unknown as KernelFunc,
};
