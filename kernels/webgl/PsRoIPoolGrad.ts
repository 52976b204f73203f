import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {PsRoIPoolAttrs, PsRoIPoolGrad, RoIGradInputs} from '../../src/kernel_names';
import {PsRoIPoolGradProgram} from './ps_roi_gpu';
import {runCulledGather} from './culled_gather';
import {packedTexels} from './roi_program';
import {nothingToGather, poolUniforms, requireTexturesFit, requireWebGL2, withBoxTable, zerosInfo} from './run_roi_program';

/** dx: a gather; each pixel takes dy / area from the bins that averaged it. */
export function psRoiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  requireWebGL2(PsRoIPoolGrad);
  requireTexturesFit(PsRoIPoolGrad, {x: args.inputs.x.shape, dy: args.inputs.dy.shape});
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  if (nothingToGather(inputs)) return zerosInfo(backend, x.shape);
  const uniforms = poolUniforms(x.shape, boxes.shape[0], attrs);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runCulledGather(
          backend, PsRoIPoolGrad, 'pool', table, uniforms, x.shape,
          accumulate => new PsRoIPoolGradProgram(packedTexels(x.shape), accumulate), [dy, table]));
}

export const psRoiPoolGradConfig: KernelConfig = {
  kernelName: PsRoIPoolGrad,
  backendName: 'webgl',
  kernelFunc: psRoiPoolGrad as unknown as KernelFunc,
};
