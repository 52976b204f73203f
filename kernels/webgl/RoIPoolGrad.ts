import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIGradInputs, RoIPoolAttrs, RoIPoolGrad} from '../../src/kernel_names';
import {RoIPoolGradProgram} from './roi_pool_gpu';
import {poolUniforms, requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/** dx: a gather; each pixel takes dy of the bins whose max it is. */
export function roiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  requireWebGL2(RoIPoolGrad);
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  if (numBoxes === 0 || util.sizeFromShape(dy.shape) === 0) return zerosInfo(backend, x.shape);
  const program = new RoIPoolGradProgram(util.sizeFromShape(x.shape));
  const uniforms = poolUniforms(x.shape, numBoxes, attrs);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(backend, program, [dy, x, table], uniforms, x.shape));
}

export const roiPoolGradConfig: KernelConfig = {
  kernelName: RoIPoolGrad,
  backendName: 'webgl',
  kernelFunc: roiPoolGrad as unknown as KernelFunc,
};
