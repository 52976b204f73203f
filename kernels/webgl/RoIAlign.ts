import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {RoIAlignProgram} from './roi_align_gpu';
import {alignUniforms, binOutputShape, requireTexturesFit, requireWebGL2, runOnBins} from './run_roi_program';

export function roiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlign);
  requireTexturesFit(
      RoIAlign, {x: args.inputs.x.shape, y: binOutputShape(args.inputs, args.attrs)});
  const {inputs, backend, attrs} = args;
  return runOnBins(
      backend, inputs, attrs, alignUniforms(inputs.x.shape, inputs.boxes.shape[0], attrs),
      size => new RoIAlignProgram(size, attrs.mode));
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'webgl',
  kernelFunc: roiAlign as unknown as KernelFunc,
};
