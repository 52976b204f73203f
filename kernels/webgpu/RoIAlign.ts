import type {KernelConfig, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import type {RoIAlignOutput} from '../../shaders/wgsl/roi_align';
import {forwardLanes, RoIAlignProgram, RoIAlignSampleTableProgram} from './roi_align_webgpu';
import {checkSamplingRatio, forwardKernelFunc, pooledShape, releasing, runOnRoITensors} from './roi_webgpu_util';

/**
 * Runs the forward program: the values of y, or for 'max' mode the winning
 * sample of each output element (int32), which both gradients read.
 * positionSensitive: psRoiAlign's y, C / (outH * outW) channels.
 */
export function runRoIAlign(
    backend: WebGPUBackend, kernelName: string, inputs: RoIInputs, attrs: RoIAlignAttrs,
    output: RoIAlignOutput, positionSensitive = false): TensorInfo {
  checkSamplingRatio(kernelName, attrs);
  const outChannels = inputs.x.shape[3] / (positionSensitive ? attrs.pooledHeight * attrs.pooledWidth : 1);
  // psRoiAlign's adjacent output channels read input channels outH * outW apart.
  const lanes = forwardLanes(outChannels, !positionSensitive);
  const dtype = output === 'value' ? 'float32' : 'int32';
  const shape = pooledShape(inputs, attrs, outChannels);
  if (!(attrs.samplingRatio > 0)) {
    const program = new RoIAlignProgram(shape, attrs.mode, attrs.aligned, output, positionSensitive, lanes);
    return runOnRoITensors(backend, kernelName, program, inputs, attrs, dtype);
  }
  // A fixed ratio: every box's samples once, then the forward reads them.
  const sampleTable = runSampleTable(backend, kernelName, inputs, attrs);
  const program = new RoIAlignProgram(shape, attrs.mode, attrs.aligned, output, positionSensitive, lanes, 'table');
  return releasing(
      backend, [sampleTable],
      () => runOnRoITensors(backend, kernelName, program, {...inputs, sampleTable}, attrs, dtype));
}

/**
 * The sample table of a fixed samplingRatio (RoIAlignSampleTableProgram),
 * which the caller releases.
 */
export function runSampleTable(
    backend: WebGPUBackend, kernelName: string, inputs: RoIInputs, attrs: RoIAlignAttrs): TensorInfo {
  return runOnRoITensors(
      backend, kernelName, new RoIAlignSampleTableProgram(inputs.boxes.shape[0], attrs, attrs.aligned), inputs,
      attrs, 'float32');
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'webgpu',
  kernelFunc: forwardKernelFunc(RoIAlign, runRoIAlign),
};
