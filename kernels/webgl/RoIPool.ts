import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIInputs, RoIPool, RoIPoolAttrs} from '../../src/kernel_names';
import {RoIPoolProgram} from './roi_pool_gpu';
import {poolUniforms, requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

export function roiPool(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  requireWebGL2(RoIPool);
  const {inputs, backend, attrs} = args;
  const {x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  const outShape = [numBoxes, attrs.pooledHeight, attrs.pooledWidth, x.shape[3]];
  if (util.sizeFromShape(outShape) === 0 || util.sizeFromShape(x.shape) === 0) {
    return zerosInfo(backend, outShape);
  }
  const program = new RoIPoolProgram(util.sizeFromShape(outShape));
  const uniforms = poolUniforms(x.shape, numBoxes, attrs);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(backend, program, [x, table], uniforms, outShape));
}

export const roiPoolConfig: KernelConfig = {
  kernelName: RoIPool,
  backendName: 'webgl',
  kernelFunc: roiPool as unknown as KernelFunc,
};
