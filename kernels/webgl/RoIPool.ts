import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIInputs, RoIPool, RoIPoolAttrs} from '../../src/kernel_names';
import {RoIPoolPackedProgram} from './roi_pool_gpu';
import {packedTexels} from './roi_program';
import {binOutputShape, poolUniforms, requireTexturesFit, requireWebGL2, runOnBins} from './run_roi_program';

export function roiPool(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  requireWebGL2(RoIPool);
  requireTexturesFit(RoIPool, {x: args.inputs.x.shape, y: binOutputShape(args.inputs, args.attrs)}, ['y']);
  const {inputs, backend, attrs} = args;
  return runOnBins(
      backend, inputs, attrs, poolUniforms(inputs.x.shape, inputs.boxes.shape[0], attrs),
      shape => new RoIPoolPackedProgram(packedTexels(shape)));
}

export const roiPoolConfig: KernelConfig = {
  kernelName: RoIPool,
  backendName: 'webgl',
  kernelFunc: roiPool as unknown as KernelFunc,
};
