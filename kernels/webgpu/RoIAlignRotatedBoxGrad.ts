import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {ROTATED_BOX_FIELDS} from '../../src/geometry';
import {RoIAlignRotatedAttrs, RoIAlignRotatedBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {RoIBoxGradSumProgram} from './roi_align_box_grad_webgpu';
import {RoIAlignRotatedBoxGradProgram, rotatedUniforms} from './roi_align_rotated_webgpu';
import {checkSamplingRatio, nothingToCompute, releasing, runOnRoITensors, runRoIProgram, zerosTensor} from './roi_webgpu_util';

/** dboxes [K,5], deterministic: per (box, bin) partial sums, then each box's bins added in order. */
export function roiAlignRotatedBoxGrad(
    args: {inputs: RoIGradInputs, backend: WebGPUBackend, attrs: RoIAlignRotatedAttrs}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const numBoxes = inputs.boxes.shape[0];
  checkSamplingRatio(RoIAlignRotatedBoxGrad, attrs);
  if (nothingToCompute(inputs)) return zerosTensor(backend, [numBoxes, ROTATED_BOX_FIELDS]);
  const bins = attrs.pooledHeight * attrs.pooledWidth;
  const program = new RoIAlignRotatedBoxGradProgram(numBoxes, bins, ROTATED_BOX_FIELDS, inputs.x.shape[3]);
  const partial =
      runOnRoITensors(backend, RoIAlignRotatedBoxGrad, program, inputs, attrs, 'float32', rotatedUniforms(attrs));
  return releasing(
      backend, [partial],
      () => runRoIProgram(
          backend, RoIAlignRotatedBoxGrad, new RoIBoxGradSumProgram(numBoxes, ROTATED_BOX_FIELDS), [partial],
          'float32', [{type: 'int32', data: [bins]}]));
}

export const roiAlignRotatedBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedBoxGrad,
  backendName: 'webgpu',
  kernelFunc: roiAlignRotatedBoxGrad as unknown as KernelFunc,
};
