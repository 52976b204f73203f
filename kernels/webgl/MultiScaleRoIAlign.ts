import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {MultiScaleRoIAlign, MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIList} from '../../src/kernel_names';
import {MultiScaleRoIAlignProgram, multiScaleUniformValues} from './multi_scale_roi_align_gpu';
import {requireWebGL2, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/** y in one program: every output element samples its box's own level. */
export function multiScaleRoiAlign(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendWebGL,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(MultiScaleRoIAlign);
  const {backend, attrs} = args;
  const {boxes, boxIndices, levels} = multiScaleInputs(args.inputs, attrs);
  const outShape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, levels[0].shape[3]];
  if (util.sizeFromShape(outShape) === 0 || levels.some(x => util.sizeFromShape(x.shape) === 0)) {
    return zerosInfo(backend, outShape);
  }
  const uniforms = multiScaleUniformValues(levels.map(x => x.shape), boxes.shape[0], attrs);
  const program = new MultiScaleRoIAlignProgram(util.sizeFromShape(outShape), levels.length, attrs.mode);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(backend, program, [table, ...levels], uniforms, outShape));
}

export const multiScaleRoiAlignConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlign,
  backendName: 'webgl',
  kernelFunc: multiScaleRoiAlign as unknown as KernelFunc,
};
