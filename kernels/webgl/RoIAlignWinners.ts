import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlignAttrs, RoIAlignWinners, RoIInputs} from '../../src/kernel_names';
import {runPackedAlign} from './RoIAlign';
import {asInt32, binOutputShape, requireWebGL2} from './run_roi_program';

/**
 * 'max' mode's winners, int32 [K,outH,outW,C] (see RoIAlignWinners): the
 * packed forward's 'winner' reduction (runPackedAlign), four outputs per
 * fragment, whatever attrs.mode says.
 */
export function roiAlignWinners(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const shape = binOutputShape(inputs, attrs);
  if (util.sizeFromShape(shape) === 0 || util.sizeFromShape(inputs.x.shape) === 0) {
    requireWebGL2(RoIAlignWinners);
    return backend.makeTensorInfo(shape, 'int32', new Int32Array(util.sizeFromShape(shape)).fill(-1));
  }
  return asInt32(backend, runPackedAlign(backend, inputs, attrs, 'winner', RoIAlignWinners, 'winners'));
}

export const roiAlignWinnersConfig: KernelConfig = {
  kernelName: RoIAlignWinners,
  backendName: 'webgl',
  kernelFunc: roiAlignWinners as unknown as KernelFunc,
};
