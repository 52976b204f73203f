import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIAlignAttrs, RoIAlignBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {runRoIAlign} from './RoIAlign';
import {RoIAlignBoxGradProgram, RoIBoxGradSumProgram} from './roi_align_box_grad_webgpu';
import {checkSamplingRatio, isEmpty, roiUniforms, runRoIProgram, zerosTensor} from './roi_webgpu_util';

/**
 * dboxes [K,4], deterministic: per (box, bin) partial sums, then each box's
 * bins added in order. 'max' reads the forward program's winners.
 */
export function roiAlignBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: WebGPUBackend,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  checkSamplingRatio(RoIAlignBoxGrad, attrs);
  if (isEmpty(x.shape) || numBoxes === 0) {
    return zerosTensor(backend, [numBoxes, 4]);
  }
  const program = new RoIAlignBoxGradProgram(
      numBoxes, attrs.pooledHeight * attrs.pooledWidth, attrs.mode, attrs.aligned, attrs.samplingRatio);
  const winner = attrs.mode === 'max' ?
      runRoIAlign(backend, RoIAlignBoxGrad, {x, boxes, boxIndices}, attrs, 'winner') :
      null;
  let partial: TensorInfo;
  try {
    partial = runRoIProgram(
        backend, RoIAlignBoxGrad, program,
        winner === null ? [x, dy, boxes, boxIndices] : [x, dy, boxes, boxIndices, winner], 'float32',
        roiUniforms(attrs));
  } finally {
    if (winner !== null) backend.disposeData(winner.dataId);
  }
  try {
    return runRoIProgram(backend, RoIAlignBoxGrad, new RoIBoxGradSumProgram(numBoxes), [partial], 'float32', []);
  } finally {
    backend.disposeData(partial.dataId);
  }
}

export const roiAlignBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignBoxGrad,
  backendName: 'webgpu',
  kernelFunc: roiAlignBoxGrad as unknown as KernelFunc,
};
