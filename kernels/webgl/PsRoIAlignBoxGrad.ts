import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {PsRoIAlignAttrs, PsRoIAlignBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {psAlignUniforms} from './PsRoIAlign';
import {PsRoIAlignBoxGradProgram} from './ps_roi_gpu';
import {RoIBoxGradSumProgram} from './roi_align_gpu';
import {disposeAfter, nothingToGather, requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/** dboxes [K,4]: per-bin shares, then one sum per box, as for RoIAlign. */
export function psRoiAlignBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(PsRoIAlignBoxGrad);
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  if (nothingToGather(inputs)) return zerosInfo(backend, boxes.shape);
  const uniforms = psAlignUniforms(x.shape, numBoxes, attrs);
  const sharesShape = [numBoxes, attrs.pooledHeight, attrs.pooledWidth, 4];
  const shares = withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(
          backend, new PsRoIAlignBoxGradProgram(numBoxes * attrs.pooledHeight * attrs.pooledWidth * 4),
          [dy, x, table], uniforms, sharesShape));
  return disposeAfter(
      backend, shares,
      () => runRoIProgram(backend, new RoIBoxGradSumProgram(numBoxes * 4), [shares], uniforms, boxes.shape));
}

export const psRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: PsRoIAlignBoxGrad,
  backendName: 'webgl',
  kernelFunc: psRoiAlignBoxGrad as unknown as KernelFunc,
};
