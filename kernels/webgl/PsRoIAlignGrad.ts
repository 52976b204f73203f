import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {PsRoIAlignAttrs, PsRoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {psAlignUniforms} from './PsRoIAlign';
import {PsRoIAlignGradProgram} from './ps_roi_gpu';
import {nothingToGather, requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/** dx: a gather over the boxes of each pixel's image (see psRoiAlignGradShader). */
export function psRoiAlignGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(PsRoIAlignGrad);
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  if (nothingToGather(inputs)) return zerosInfo(backend, x.shape);
  const program = new PsRoIAlignGradProgram(util.sizeFromShape(x.shape));
  const uniforms = psAlignUniforms(x.shape, boxes.shape[0], attrs);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(backend, program, [dy, table], uniforms, x.shape));
}

export const psRoiAlignGradConfig: KernelConfig = {
  kernelName: PsRoIAlignGrad,
  backendName: 'webgl',
  kernelFunc: psRoiAlignGrad as unknown as KernelFunc,
};
