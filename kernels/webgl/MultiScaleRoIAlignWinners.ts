import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIAlignWinners, MultiScaleRoIList} from '../../src/kernel_names';
import {MultiScaleRoIAlignProgram, multiScaleUniformValues} from './multi_scale_roi_align_gpu';
import {asInt32, requireTexturesFit, requireWebGL2, runRoIProgram, withBoxTable} from './run_roi_program';

/**
 * 'max' mode's winners, int32 [K,outH,outW,C] (see
 * MultiScaleRoIAlignWinners): the forward program's 'winner' reduction, each
 * box at its own level, in one program, whatever attrs.mode says.
 */
export function multiScaleRoiAlignWinners(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendWebGL,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(MultiScaleRoIAlignWinners);
  const {backend, attrs} = args;
  const {boxes, boxIndices, levels} = multiScaleInputs(args.inputs, attrs);
  const outShape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, levels[0].shape[3]];
  requireTexturesFit(MultiScaleRoIAlignWinners, {winners: outShape});
  if (util.sizeFromShape(outShape) === 0 || levels.some(x => util.sizeFromShape(x.shape) === 0)) {
    return backend.makeTensorInfo(outShape, 'int32', new Int32Array(util.sizeFromShape(outShape)).fill(-1));
  }
  const uniforms = multiScaleUniformValues(levels.map(x => x.shape), boxes.shape[0], attrs);
  const program = new MultiScaleRoIAlignProgram(util.sizeFromShape(outShape), levels.length, 'winner');
  const winners = withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runRoIProgram(backend, program, [table, ...levels], uniforms, outShape));
  return asInt32(backend, winners);
}

export const multiScaleRoiAlignWinnersConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignWinners,
  backendName: 'webgl',
  kernelFunc: multiScaleRoiAlignWinners as unknown as KernelFunc,
};
