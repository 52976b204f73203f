import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIAlignAttrs, RoIAlignBoxGrad, RoIAlignGradInputs} from '../../src/kernel_names';
import {runSampleTable} from './RoIAlign';
import {gradientWinners} from './RoIAlignWinners';
import {RoIAlignBoxGradProgram, RoIBoxGradSumProgram} from './roi_align_box_grad_webgpu';
import {checkSamplingRatio, nothingToCompute, releasing, runOnRoITensors, runRoIProgram, zerosTensor} from './roi_webgpu_util';

/**
 * dboxes [K,4], deterministic: per (box, bin) partial sums, then each box's
 * bins added in order. 'max' reads the winners (inputs.winners, or the
 * forward program's, run here).
 * positionSensitive: psRoiAlign's (with psAlignAsRoIAlign's attrs).
 */
export function alignBoxGrad(
    backend: WebGPUBackend, kernelName: string, inputs: RoIAlignGradInputs, attrs: RoIAlignAttrs,
    positionSensitive: boolean): TensorInfo {
  const numBoxes = inputs.boxes.shape[0];
  checkSamplingRatio(kernelName, attrs);
  if (nothingToCompute(inputs)) return zerosTensor(backend, [numBoxes, 4]);
  const bins = attrs.pooledHeight * attrs.pooledWidth;
  // A fixed ratio: the samples and slopes come from the sample table.
  const table = attrs.samplingRatio > 0;
  const program = new RoIAlignBoxGradProgram(
      numBoxes, bins, attrs.mode, attrs.aligned, positionSensitive, inputs.dy.shape[3], table ? 'table' : 'geometry');
  const {winner, owned} = gradientWinners(backend, kernelName, inputs, attrs);
  const sampleTable = table ? runSampleTable(backend, kernelName, inputs, attrs) : null;
  const partial = releasing(
      backend, [owned, sampleTable],
      () => runOnRoITensors(
          backend, kernelName, program, {...inputs, winner, ...(sampleTable ? {sampleTable} : {})}, attrs, 'float32'));
  return releasing(
      backend, [partial],
      () => runRoIProgram(
          backend, kernelName, new RoIBoxGradSumProgram(numBoxes), [partial], 'float32',
          [{type: 'int32', data: [bins]}]));
}

export function roiAlignBoxGrad(args: {inputs: RoIAlignGradInputs, backend: WebGPUBackend, attrs: RoIAlignAttrs}):
    TensorInfo {
  return alignBoxGrad(args.backend, RoIAlignBoxGrad, args.inputs, args.attrs, false);
}

export const roiAlignBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignBoxGrad,
  backendName: 'webgpu',
  kernelFunc: roiAlignBoxGrad as unknown as KernelFunc,
};
