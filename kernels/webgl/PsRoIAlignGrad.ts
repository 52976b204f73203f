import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {PsRoIAlignAttrs, PsRoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {psAlignUniforms} from './PsRoIAlign';
import {PsRoIAlignGradProgram} from './ps_roi_gpu';
import {runCulledGather} from './culled_gather';
import {packedTexels} from './roi_program';
import {nothingToGather, requireTexturesFit, requireWebGL2, withBoxTable, zerosInfo} from './run_roi_program';

/** dx: a gather over the boxes culled per tile (see runCulledGather and psRoiAlignGradShader). */
export function psRoiAlignGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(PsRoIAlignGrad);
  requireTexturesFit(PsRoIAlignGrad, {x: args.inputs.x.shape, dy: args.inputs.dy.shape});
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  if (nothingToGather(inputs)) return zerosInfo(backend, x.shape);
  const uniforms = psAlignUniforms(x.shape, boxes.shape[0], attrs);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runCulledGather(
          backend, PsRoIAlignGrad, 'align', table, uniforms, x.shape,
          (accumulate, touch) => new PsRoIAlignGradProgram(packedTexels(x.shape), accumulate, touch),
          [dy, table]));
}

export const psRoiAlignGradConfig: KernelConfig = {
  kernelName: PsRoIAlignGrad,
  backendName: 'webgl',
  kernelFunc: psRoiAlignGrad as unknown as KernelFunc,
};
