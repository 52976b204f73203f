import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlignRotated, RoIAlignRotatedAttrs, RoIInputs} from '../../src/kernel_names';
import {RoIAlignRotatedPackedProgram} from './roi_align_rotated_gpu';
import {packedTexels} from './roi_program';
import {binOutputShape, requireTexturesFit, requireWebGL2, rotatedUniforms, runOnBins} from './run_roi_program';

/**
 * y comes out in tfjs's packed layout, as roiAlign's does, each fragment
 * computing two bins in two channels from one box.
 */
export function roiAlignRotated(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignRotated);
  requireTexturesFit(
      RoIAlignRotated, {x: args.inputs.x.shape, y: binOutputShape(args.inputs, args.attrs)}, ['y']);
  const {inputs, backend, attrs} = args;
  return runOnBins(
      backend, inputs, attrs, rotatedUniforms(inputs.x.shape, inputs.boxes.shape[0], attrs),
      shape => new RoIAlignRotatedPackedProgram(packedTexels(shape)));
}

export const roiAlignRotatedConfig: KernelConfig = {
  kernelName: RoIAlignRotated,
  backendName: 'webgl',
  kernelFunc: roiAlignRotated as unknown as KernelFunc,
};
