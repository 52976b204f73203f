import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {levelRoIAlignAttrs, MultiScaleRoIAlign, MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIAlignWinners, MultiScaleRoIList} from '../../src/kernel_names';
import {MultiScaleRoIAlignProgram, multiScaleUniformValues} from './multi_scale_roi_align_webgpu';
import {checkSamplingRatio, runRoIProgram, zerosTensor} from './roi_webgpu_util';

/** y in one dispatch: every output element samples its box's own level. */
export function multiScaleRoiAlign(args: {
  inputs: MultiScaleRoIList,
  backend: WebGPUBackend,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  return runMultiScaleForward(args.backend, args.inputs, args.attrs, 'y');
}

/**
 * The one-dispatch forward of `kernel`: y, or for 'winner' the 'max'
 * winners (MultiScaleRoIAlignWinners, int32, -1 where nothing is computed).
 * Four channels per invocation when C % 4 == 0, as RoIAlign.
 */
export function runMultiScaleForward(
    backend: WebGPUBackend, list: MultiScaleRoIList, attrs: MultiScaleRoIAlignAttrs, output: 'y'|'winner'): TensorInfo {
  const kernel = output === 'y' ? MultiScaleRoIAlign : MultiScaleRoIAlignWinners;
  const {boxes, boxIndices, levels} = multiScaleInputs(list, attrs);
  checkSamplingRatio(kernel, levelRoIAlignAttrs(attrs, 0));
  const channels = levels[0].shape[3];
  const shape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, channels];
  if (shape.some(d => d === 0) || levels.some(x => x.shape.some(d => d === 0))) {
    return output === 'y' ? zerosTensor(backend, shape) :
                            backend.makeTensorInfo(shape, 'int32', new Int32Array(util.sizeFromShape(shape)).fill(-1));
  }
  const lanes = channels % 4 === 0 ? 4 : 1;
  const program = output === 'y' ?
      new MultiScaleRoIAlignProgram(shape, levels.length, attrs.mode, attrs.aligned, lanes) :
      new MultiScaleRoIAlignProgram(shape, levels.length, 'max', attrs.aligned, lanes, 'winner');
  return runRoIProgram(
      backend, kernel, program, [boxes, boxIndices, ...levels], output === 'y' ? 'float32' : 'int32',
      multiScaleUniformValues(levels.map(x => x.shape), boxes.shape[0], attrs));
}

export const multiScaleRoiAlignConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlign,
  backendName: 'webgpu',
  kernelFunc: multiScaleRoiAlign as unknown as KernelFunc,
};
