import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {RoIAlignPackedProgram} from './roi_align_gpu';
import {alignUniforms, binOutputShape, requireTexturesFit, requireWebGL2, runPackedOnBins} from './run_roi_program';

export function roiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlign);
  requireTexturesFit(
      RoIAlign, {x: args.inputs.x.shape, y: binOutputShape(args.inputs, args.attrs)}, ['y']);
  const {inputs, backend, attrs} = args;
  // y comes out in tfjs's packed layout, which the ops after a pooler
  // (convolutions, matMul) read; four outputs per fragment share its geometry.
  return runPackedOnBins(
      backend, inputs, attrs, alignUniforms(inputs.x.shape, inputs.boxes.shape[0], attrs),
      texels => new RoIAlignPackedProgram(texels, attrs.mode));
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'webgl',
  kernelFunc: roiAlign as unknown as KernelFunc,
};
