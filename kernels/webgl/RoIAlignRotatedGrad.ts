import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlignRotatedAttrs, RoIAlignRotatedGrad, RoIGradInputs} from '../../src/kernel_names';
import {RoIAlignRotatedGradProgram} from './roi_align_rotated_gpu';
import {runCulledGather} from './culled_gather';
import {packedTexels} from './roi_program';
import {nothingToGather, requireTexturesFit, requireWebGL2, rotatedUniforms, withBoxTable, zerosInfo} from './run_roi_program';

/** dx: a gather over the boxes culled per tile (see runCulledGather and roiAlignRotatedGradShader). */
export function roiAlignRotatedGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignRotatedGrad);
  requireTexturesFit(RoIAlignRotatedGrad, {x: args.inputs.x.shape, dy: args.inputs.dy.shape});
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  if (nothingToGather(inputs)) return zerosInfo(backend, x.shape);
  const uniforms = rotatedUniforms(x.shape, boxes.shape[0], attrs);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runCulledGather(
          backend, RoIAlignRotatedGrad, 'rotated', table, uniforms, x.shape,
          accumulate => new RoIAlignRotatedGradProgram(packedTexels(x.shape), accumulate), [dy, table]));
}

export const roiAlignRotatedGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedGrad,
  backendName: 'webgl',
  kernelFunc: roiAlignRotatedGrad as unknown as KernelFunc,
};
