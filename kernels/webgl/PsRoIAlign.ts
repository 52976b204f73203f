import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {psAlignAsRoIAlign, PsRoIAlign, PsRoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {runPackedAlign} from './RoIAlign';
import {alignUniforms, RoIUniformValues} from './run_roi_program';

/** RoIAlign's uniforms for psRoiAlign's sampling: always aligned, 'avg'. */
export function psAlignUniforms(xShape: number[], numBoxes: number, attrs: PsRoIAlignAttrs): RoIUniformValues {
  return alignUniforms(xShape, numBoxes, psAlignAsRoIAlign(attrs));
}

export function psRoiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  // roiAlign's packed forward with the channel map: with a fixed
  // samplingRatio it reads each box's samples from the sample table.
  return runPackedAlign(args.backend, args.inputs, psAlignAsRoIAlign(args.attrs), 'avg', PsRoIAlign, 'y', true);
}

export const psRoiAlignConfig: KernelConfig = {
  kernelName: PsRoIAlign,
  backendName: 'webgl',
  kernelFunc: psRoiAlign as unknown as KernelFunc,
};
