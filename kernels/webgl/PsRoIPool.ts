import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {PsRoIPool, PsRoIPoolAttrs, RoIInputs} from '../../src/kernel_names';
import {PsRoIPoolProgram} from './ps_roi_gpu';
import {packedTexels} from './roi_program';
import {binOutputShape, poolUniforms, requireTexturesFit, requireWebGL2, runOnBins} from './run_roi_program';

export function psRoiPool(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  requireWebGL2(PsRoIPool);
  requireTexturesFit(
      PsRoIPool, {x: args.inputs.x.shape, y: binOutputShape(args.inputs, args.attrs, true)}, ['y']);
  const {inputs, backend, attrs} = args;
  const {x, boxes} = inputs;
  return runOnBins(
      backend, inputs, attrs, poolUniforms(x.shape, boxes.shape[0], attrs), shape => new PsRoIPoolProgram(packedTexels(shape)),
      x.shape[3] / (attrs.pooledHeight * attrs.pooledWidth));
}

export const psRoiPoolConfig: KernelConfig = {
  kernelName: PsRoIPool,
  backendName: 'webgl',
  kernelFunc: psRoiPool as unknown as KernelFunc,
};
