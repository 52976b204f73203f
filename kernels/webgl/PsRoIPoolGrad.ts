import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {PsRoIPoolAttrs, PsRoIPoolGrad, RoIGradInputs} from '../../src/kernel_names';
import {PsRoIPoolGradProgram} from './ps_roi_gpu';
import {nothingToGather, poolUniforms, requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/** dx: a gather; each pixel takes dy / area from the bins that averaged it. */
export function psRoiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  requireWebGL2(PsRoIPoolGrad);
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  if (nothingToGather(inputs)) return zerosInfo(backend, x.shape);
  const program = new PsRoIPoolGradProgram(util.sizeFromShape(x.shape));
  const uniforms = poolUniforms(x.shape, boxes.shape[0], attrs);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(backend, program, [dy, table], uniforms, x.shape));
}

export const psRoiPoolGradConfig: KernelConfig = {
  kernelName: PsRoIPoolGrad,
  backendName: 'webgl',
  kernelFunc: psRoiPoolGrad as unknown as KernelFunc,
};
