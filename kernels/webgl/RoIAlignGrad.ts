import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlignAttrs, RoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {withAlignGradientInputs} from './align_gradient_inputs';
import {RoIAlignGradProgram} from './roi_align_gpu';
import {alignUniforms, nothingToGather, requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/** dx: a gather over the boxes of each pixel's image (see roiAlignGradShader). */
export function roiAlignGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignGrad);
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  if (nothingToGather(inputs)) return zerosInfo(backend, x.shape);
  const program = new RoIAlignGradProgram(util.sizeFromShape(x.shape), attrs.mode);
  const uniforms = alignUniforms(x.shape, numBoxes, attrs);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => withAlignGradientInputs(
          backend, attrs.mode, {dy, x, table}, false, uniforms,
          programInputs => runRoIProgram(backend, program, programInputs, uniforms, x.shape)));
}

export const roiAlignGradConfig: KernelConfig = {
  kernelName: RoIAlignGrad,
  backendName: 'webgl',
  kernelFunc: roiAlignGrad as unknown as KernelFunc,
};
