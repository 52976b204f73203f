import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlignAttrs, RoIAlignBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {RoIAlignBoxGradProgram, RoIBoxGradSumProgram} from './roi_align_gpu';
import {alignUniforms, requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/**
 * dboxes [K,4]: a reduction per box over its samples and channels, in two
 * passes, so that no single fragment loops over a whole box: one share per
 * (box, bin, coordinate), then one sum per (box, coordinate).
 */
export function roiAlignBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignBoxGrad);
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  if (numBoxes === 0 || util.sizeFromShape(dy.shape) === 0 || util.sizeFromShape(x.shape) === 0) {
    return zerosInfo(backend, boxes.shape);
  }
  const uniforms = alignUniforms(x.shape, numBoxes, attrs);
  const sharesShape = [numBoxes, attrs.pooledHeight, attrs.pooledWidth, 4];
  const sharesProgram = new RoIAlignBoxGradProgram(util.sizeFromShape(sharesShape), attrs.mode);
  const shares = withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(backend, sharesProgram, [dy, x, table], uniforms, sharesShape));
  const dboxes = runRoIProgram(
      backend, new RoIBoxGradSumProgram(numBoxes * 4), [shares], uniforms, boxes.shape);
  backend.disposeIntermediateTensorInfo(shares);
  return dboxes;
}

export const roiAlignBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignBoxGrad,
  backendName: 'webgl',
  kernelFunc: roiAlignBoxGrad as unknown as KernelFunc,
};
