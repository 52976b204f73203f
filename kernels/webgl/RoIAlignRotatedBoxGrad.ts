import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {ROTATED_BOX_FIELDS} from '../../src/geometry';
import {RoIAlignRotatedAttrs, RoIAlignRotatedBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {RoIAlignRotatedBoxGradProgram, RoIRotatedBoxGradSumProgram} from './roi_align_rotated_gpu';
import {boxGradTextures, disposeAfter, nothingToGather, requireTexturesFit, requireWebGL2, rotatedUniforms, runPackedRoIProgram, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/**
 * dboxes [K,5] in two passes, as RoIAlign's: one fragment per (box, bin)
 * and texel of parameters, (cx, cy, w, h) or angle, writes the bin's shares
 * of them, then one sum per (box, parameter).
 */
export function roiAlignRotatedBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignRotatedBoxGrad);
  requireTexturesFit(RoIAlignRotatedBoxGrad, boxGradTextures(args.inputs, 8), ['box shares']);
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  if (nothingToGather(inputs)) return zerosInfo(backend, boxes.shape);
  const uniforms = rotatedUniforms(x.shape, numBoxes, attrs);
  const bins = numBoxes * attrs.pooledHeight * attrs.pooledWidth;
  // Two texels per bin in order, as tfjs's packed layout of this shape lays them out.
  const sharesShape = [4 * bins, 2];
  const sharesProgram = new RoIAlignRotatedBoxGradProgram(bins);
  const shares = withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runPackedRoIProgram(backend, sharesProgram, [dy, x, table], uniforms, sharesShape));
  return disposeAfter(
      backend, shares,
      () => runRoIProgram(
          backend, new RoIRotatedBoxGradSumProgram(numBoxes * ROTATED_BOX_FIELDS), [shares], uniforms,
          boxes.shape));
}

export const roiAlignRotatedBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedBoxGrad,
  backendName: 'webgl',
  kernelFunc: roiAlignRotatedBoxGrad as unknown as KernelFunc,
};
