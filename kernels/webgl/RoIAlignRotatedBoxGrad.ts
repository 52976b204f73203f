import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {ROTATED_BOX_FIELDS} from '../../src/geometry';
import {RoIAlignRotatedAttrs, RoIAlignRotatedBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {RoIAlignRotatedBoxGradProgram, RoIRotatedBoxGradSumProgram} from './roi_align_rotated_gpu';
import {boxGradTextures, disposeAfter, nothingToGather, requireTexturesFit, requireWebGL2, rotatedUniforms, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/**
 * dboxes [K,5] in two passes, as RoIAlign's: one share per (box, bin,
 * parameter), then one sum per (box, parameter).
 */
export function roiAlignRotatedBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignRotatedBoxGrad);
  requireTexturesFit(RoIAlignRotatedBoxGrad, boxGradTextures(args.inputs, 5));
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  if (nothingToGather(inputs)) return zerosInfo(backend, boxes.shape);
  const uniforms = rotatedUniforms(x.shape, numBoxes, attrs);
  const sharesShape = [numBoxes, attrs.pooledHeight, attrs.pooledWidth, ROTATED_BOX_FIELDS];
  const sharesProgram = new RoIAlignRotatedBoxGradProgram(util.sizeFromShape(sharesShape));
  const shares = withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(backend, sharesProgram, [dy, x, table], uniforms, sharesShape));
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
