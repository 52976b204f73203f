import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {RoIAlignProgram} from './roi_align_gpu';
import {alignUniforms, requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

export function roiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlign);
  const {inputs, backend, attrs} = args;
  const {x, boxes, boxIndices} = inputs;
  const numBoxes = boxes.shape[0];
  const outShape = [numBoxes, attrs.pooledHeight, attrs.pooledWidth, x.shape[3]];
  // No boxes (or no channels, or an empty map): nothing to sample.
  if (util.sizeFromShape(outShape) === 0 || util.sizeFromShape(x.shape) === 0) {
    return zerosInfo(backend, outShape);
  }
  const program = new RoIAlignProgram(util.sizeFromShape(outShape), attrs.mode);
  const uniforms = alignUniforms(x.shape, numBoxes, attrs);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(backend, program, [x, table], uniforms, outShape));
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'webgl',
  kernelFunc: roiAlign as unknown as KernelFunc,
};
