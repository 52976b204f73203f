import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {PsRoIAlignAttrs, PsRoIAlignBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {PsRoIAlignBoxGradProgram} from './ps_roi_webgpu';
import {RoIBoxGradSumProgram} from './roi_align_box_grad_webgpu';
import {checkSamplingRatio, nothingToCompute, releasing, runOnRoITensors, runRoIProgram, zerosTensor} from './roi_webgpu_util';

/** dboxes [K,4], deterministic: per (box, bin) partial sums, then each box's bins in order. */
export function psRoiAlignBoxGrad(args: {inputs: RoIGradInputs, backend: WebGPUBackend, attrs: PsRoIAlignAttrs}):
    TensorInfo {
  const {inputs, backend, attrs} = args;
  const numBoxes = inputs.boxes.shape[0];
  checkSamplingRatio(PsRoIAlignBoxGrad, attrs);
  if (nothingToCompute(inputs)) return zerosTensor(backend, [numBoxes, 4]);
  const bins = attrs.pooledHeight * attrs.pooledWidth;
  const program = new PsRoIAlignBoxGradProgram(numBoxes, bins, attrs.samplingRatio);
  const partial = runOnRoITensors(backend, PsRoIAlignBoxGrad, program, inputs, attrs, 'float32');
  return releasing(
      backend, [partial],
      () => runRoIProgram(
          backend, PsRoIAlignBoxGrad, new RoIBoxGradSumProgram(numBoxes), [partial], 'float32',
          [{type: 'int32', data: [bins]}]));
}

export const psRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: PsRoIAlignBoxGrad,
  backendName: 'webgpu',
  kernelFunc: psRoiAlignBoxGrad as unknown as KernelFunc,
};
