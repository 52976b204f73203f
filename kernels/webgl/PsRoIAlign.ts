import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {psAlignAsRoIAlign, PsRoIAlign, PsRoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {PsRoIAlignProgram} from './ps_roi_gpu';
import {packedTexels} from './roi_program';
import {alignUniforms, binOutputShape, requireTexturesFit, requireWebGL2, RoIUniformValues, runOnBins} from './run_roi_program';

/** RoIAlign's uniforms for psRoiAlign's sampling: always aligned, 'avg'. */
export function psAlignUniforms(xShape: number[], numBoxes: number, attrs: PsRoIAlignAttrs): RoIUniformValues {
  return alignUniforms(xShape, numBoxes, psAlignAsRoIAlign(attrs));
}

export function psRoiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(PsRoIAlign);
  requireTexturesFit(
      PsRoIAlign, {x: args.inputs.x.shape, y: binOutputShape(args.inputs, args.attrs, true)}, ['y']);
  const {inputs, backend, attrs} = args;
  const {x, boxes} = inputs;
  return runOnBins(
      backend, inputs, attrs, psAlignUniforms(x.shape, boxes.shape[0], attrs),
      shape => new PsRoIAlignProgram(packedTexels(shape)), x.shape[3] / (attrs.pooledHeight * attrs.pooledWidth));
}

export const psRoiAlignConfig: KernelConfig = {
  kernelName: PsRoIAlign,
  backendName: 'webgl',
  kernelFunc: psRoiAlign as unknown as KernelFunc,
};
