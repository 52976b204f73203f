import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIAlignAttrs, RoIAlignGrad, RoIAlignGradInputs} from '../../src/kernel_names';
import {gradientWinners} from './RoIAlignWinners';
import {RoIAlignGradProgram, RoIAlignTileLinesProgram} from './roi_align_grad_webgpu';
import {RoIReachProgram} from './roi_reach_webgpu';
import {checkSamplingRatio, nothingToCompute, zerosTensor} from './roi_webgpu_util';
import {dxLanes, runGather} from './gather_webgpu';

/**
 * dx [N,H,W,C], deterministic: each element gathers from the samples that
 * touch it, scanning only the boxes whose reach (a first pass) holds its
 * pixel. 'max' reads each bin's winning sample (inputs.winners, or the
 * forward program's 'winner' output run here) instead of redoing the max.
 */
export function roiAlignGrad(args: {inputs: RoIAlignGradInputs, backend: WebGPUBackend, attrs: RoIAlignAttrs}):
    TensorInfo {
  const {inputs, backend, attrs} = args;
  checkSamplingRatio(RoIAlignGrad, attrs);
  if (nothingToCompute(inputs)) return zerosTensor(backend, inputs.x.shape);
  const {winner, owned} = gradientWinners(backend, RoIAlignGrad, inputs, attrs);
  const numBoxes = inputs.boxes.shape[0];
  return runGather(
      backend, RoIAlignGrad, new RoIReachProgram(numBoxes, attrs),
      new RoIAlignGradProgram(inputs.x.shape, attrs.mode, attrs.aligned, dxLanes(backend)), {...inputs, winner}, attrs, [], [owned],
      'float32', layout => new RoIAlignTileLinesProgram(numBoxes, layout, attrs.aligned));
}

export const roiAlignGradConfig: KernelConfig = {
  kernelName: RoIAlignGrad,
  backendName: 'webgpu',
  kernelFunc: roiAlignGrad as unknown as KernelFunc,
};
