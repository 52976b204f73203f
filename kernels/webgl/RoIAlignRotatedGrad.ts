import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlignRotatedAttrs, RoIAlignRotatedGrad, RoIGradInputs} from '../../src/kernel_names';
import {RoIAlignRotatedGradProgram} from './roi_align_rotated_gpu';
import {nothingToGather, requireWebGL2, rotatedUniforms, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/** dx: a gather over the boxes of each pixel's image (see roiAlignRotatedGradShader). */
export function roiAlignRotatedGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignRotatedGrad);
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  if (nothingToGather(inputs)) return zerosInfo(backend, x.shape);
  const uniforms = rotatedUniforms(x.shape, boxes.shape[0], attrs);
  const program = new RoIAlignRotatedGradProgram(util.sizeFromShape(x.shape));
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(backend, program, [dy, table], uniforms, x.shape));
}

export const roiAlignRotatedGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedGrad,
  backendName: 'webgl',
  kernelFunc: roiAlignRotatedGrad as unknown as KernelFunc,
};
