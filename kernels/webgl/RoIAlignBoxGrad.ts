import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlignAttrs, RoIAlignBoxGrad, RoIAlignGradInputs} from '../../src/kernel_names';
import {withAlignGradientInputs} from './align_gradient_inputs';
import {RoIAlignBoxGradProgram, RoIBoxGradSumProgram} from './roi_align_gpu';
import {alignUniforms, boxGradTextures, disposeAfter, nothingToGather, requireTexturesFit, requireWebGL2, runPackedRoIProgram, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/**
 * dboxes [K,4]: a reduction per box over its samples and channels, in two
 * passes, so that no single fragment loops over a whole box: one fragment
 * per (box, bin) writes the bin's shares of all four coordinates, then one
 * sum per (box, coordinate).
 * positionSensitive: psRoiAlign's (with psAlignAsRoIAlign's attrs).
 */
export function alignBoxGrad(
    backend: MathBackendWebGL, inputs: RoIAlignGradInputs, attrs: RoIAlignAttrs,
    positionSensitive: boolean): TensorInfo {
  const {dy, x, boxes, boxIndices, winners} = inputs;
  const numBoxes = boxes.shape[0];
  if (nothingToGather(inputs)) return zerosInfo(backend, boxes.shape);
  const uniforms = alignUniforms(x.shape, numBoxes, attrs);
  const bins = numBoxes * attrs.pooledHeight * attrs.pooledWidth;
  // [K, outH, outW, 4] in order, as tfjs's packed layout of this shape lays it out.
  const sharesShape = [2 * bins, 2];
  const sharesProgram = new RoIAlignBoxGradProgram(bins, attrs.mode, positionSensitive, attrs.samplingRatio);
  const shares = withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => withAlignGradientInputs(
          backend, attrs.mode, {dy, x, table, winners}, true, uniforms,
          programInputs => runPackedRoIProgram(backend, sharesProgram, programInputs, uniforms, sharesShape)));
  return disposeAfter(
      backend, shares,
      () => runRoIProgram(
          backend, new RoIBoxGradSumProgram(numBoxes * 4), [shares], uniforms, boxes.shape));
}

export function roiAlignBoxGrad(args: {
  inputs: RoIAlignGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignBoxGrad);
  requireTexturesFit(RoIAlignBoxGrad, boxGradTextures(args.inputs, 4), ['box shares']);
  return alignBoxGrad(args.backend, args.inputs, args.attrs, false);
}

export const roiAlignBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignBoxGrad,
  backendName: 'webgl',
  kernelFunc: roiAlignBoxGrad as unknown as KernelFunc,
};
