import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIGradInputs, RoIPoolAttrs, RoIPoolGrad} from '../../src/kernel_names';
import {RoIPoolGradProgram, RoIPoolProgram} from './roi_pool_gpu';
import {disposeAfter, nothingToGather, poolUniforms, requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/** dx: a winner pass, then a gather: each pixel takes dy of the bins whose max it is. */
export function roiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  requireWebGL2(RoIPoolGrad);
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  if (nothingToGather(inputs)) return zerosInfo(backend, x.shape);
  const program = new RoIPoolGradProgram(util.sizeFromShape(x.shape));
  const uniforms = poolUniforms(x.shape, numBoxes, attrs);
  const winnersProgram = new RoIPoolProgram(util.sizeFromShape(dy.shape), 'winner');
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => disposeAfter(
          backend, runRoIProgram(backend, winnersProgram, [x, table], uniforms, dy.shape),
          winners => runRoIProgram(backend, program, [dy, winners, table], uniforms, x.shape)));
}

export const roiPoolGradConfig: KernelConfig = {
  kernelName: RoIPoolGrad,
  backendName: 'webgl',
  kernelFunc: roiPoolGrad as unknown as KernelFunc,
};
