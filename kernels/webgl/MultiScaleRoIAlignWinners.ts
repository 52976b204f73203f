import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIAlignWinners, MultiScaleRoIList} from '../../src/kernel_names';
import {runMultiScaleAlign} from './MultiScaleRoIAlign';
import {asInt32, requireWebGL2} from './run_roi_program';

/**
 * 'max' mode's winners, int32 [K,outH,outW,C] (see
 * MultiScaleRoIAlignWinners): the packed forward's 'winner' reduction
 * (runMultiScaleAlign), each box at its own level, in one program, four
 * outputs per fragment, whatever attrs.mode says.
 */
export function multiScaleRoiAlignWinners(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendWebGL,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  const {backend, attrs} = args;
  const {boxes, levels} = multiScaleInputs(args.inputs, attrs);
  const shape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, levels[0].shape[3]];
  if (util.sizeFromShape(shape) === 0 || levels.some(x => util.sizeFromShape(x.shape) === 0)) {
    requireWebGL2(MultiScaleRoIAlignWinners);
    return backend.makeTensorInfo(shape, 'int32', new Int32Array(util.sizeFromShape(shape)).fill(-1));
  }
  return asInt32(
      backend, runMultiScaleAlign(backend, args.inputs, attrs, 'winner', MultiScaleRoIAlignWinners, 'winners'));
}

export const multiScaleRoiAlignWinnersConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignWinners,
  backendName: 'webgl',
  kernelFunc: multiScaleRoiAlignWinners as unknown as KernelFunc,
};
