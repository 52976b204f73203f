import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIGradInputs, RoIPoolAttrs, RoIPoolGrad} from '../../src/kernel_names';
import {RoIPoolGradProgram, RoIPoolWinnerProgram} from './roi_pool_gpu';
import {runCulledGather} from './culled_gather';
import {packedTexels} from './roi_program';
import {disposeAfter, nothingToGather, poolUniforms, requireTexturesFit, requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/** dx: a winner pass, then a gather: each pixel takes dy of the bins whose max it is. */
export function roiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  requireWebGL2(RoIPoolGrad);
  requireTexturesFit(RoIPoolGrad, {x: args.inputs.x.shape, dy: args.inputs.dy.shape});
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  if (nothingToGather(inputs)) return zerosInfo(backend, x.shape);
  const uniforms = poolUniforms(x.shape, numBoxes, attrs);
  const winnersProgram = new RoIPoolWinnerProgram(util.sizeFromShape(dy.shape));
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => disposeAfter(
          backend, runRoIProgram(backend, winnersProgram, [x, table], uniforms, dy.shape),
          winners => runCulledGather(
              backend, RoIPoolGrad, 'pool', table, uniforms, x.shape,
              accumulate => new RoIPoolGradProgram(packedTexels(x.shape), accumulate), [dy, winners, table])));
}

export const roiPoolGradConfig: KernelConfig = {
  kernelName: RoIPoolGrad,
  backendName: 'webgl',
  kernelFunc: roiPoolGrad as unknown as KernelFunc,
};
