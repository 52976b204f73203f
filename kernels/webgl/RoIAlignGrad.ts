import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlignAttrs, RoIAlignGrad, RoIAlignGradInputs} from '../../src/kernel_names';
import {withAlignGradientInputs} from './align_gradient_inputs';
import {RoIAlignGradProgram} from './roi_align_gpu';
import {runCulledGather} from './culled_gather';
import {packedTexels} from './roi_program';
import {runAlignScatter} from './scatter_align';
import {alignUniforms, nothingToGather, requireTexturesFit, requireWebGL2, withBoxTable, zerosInfo} from './run_roi_program';

/**
 * dx: a scatter of the samples with additive blending where the context
 * can blend float targets and the grid is fixed (runAlignScatter); else a
 * gather over the boxes culled per tile (runCulledGather and
 * roiAlignGradShader).
 */
export function roiAlignGrad(args: {
  inputs: RoIAlignGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignGrad);
  requireTexturesFit(RoIAlignGrad, {x: args.inputs.x.shape, dy: args.inputs.dy.shape});
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices, winners} = inputs;
  const numBoxes = boxes.shape[0];
  if (nothingToGather(inputs)) return zerosInfo(backend, x.shape);
  const uniforms = alignUniforms(x.shape, numBoxes, attrs);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => withAlignGradientInputs(
          backend, attrs.mode, {dy, x, table, winners}, false, uniforms,
          programInputs => runAlignScatter(backend, attrs.mode, programInputs, uniforms, x.shape) ??
              runCulledGather(
                  backend, RoIAlignGrad, 'align', table, uniforms, x.shape,
                  (accumulate, touch) => new RoIAlignGradProgram(packedTexels(x.shape), attrs.mode, accumulate, touch),
                  programInputs)));
}

export const roiAlignGradConfig: KernelConfig = {
  kernelName: RoIAlignGrad,
  backendName: 'webgl',
  kernelFunc: roiAlignGrad as unknown as KernelFunc,
};
