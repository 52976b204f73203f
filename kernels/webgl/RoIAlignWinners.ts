import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlignAttrs, RoIAlignWinners, RoIInputs} from '../../src/kernel_names';
import {RoIAlignProgram} from './roi_align_gpu';
import {outputShapeFor} from './roi_program';
import {alignUniforms, asInt32, binOutputShape, requireTexturesFit, requireWebGL2, runOnBins} from './run_roi_program';

/**
 * 'max' mode's winners, int32 [K,outH,outW,C] (see RoIAlignWinners): the
 * forward program's 'winner' reduction, whatever attrs.mode says.
 */
export function roiAlignWinners(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignWinners);
  const {inputs, backend, attrs} = args;
  const shape = binOutputShape(inputs, attrs);
  requireTexturesFit(RoIAlignWinners, {x: inputs.x.shape, winners: shape});
  if (util.sizeFromShape(shape) === 0 || util.sizeFromShape(inputs.x.shape) === 0) {
    return backend.makeTensorInfo(shape, 'int32', new Int32Array(util.sizeFromShape(shape)).fill(-1));
  }
  const winners = runOnBins(
      backend, inputs, attrs, alignUniforms(inputs.x.shape, inputs.boxes.shape[0], attrs), binShape => {
        const size = util.sizeFromShape(binShape);
        const program = new RoIAlignProgram(size, 'winner');
        // A kernel's output is a tensor its caller may read: the exact size,
        // not the padded square of an intermediate.
        program.outputShape = outputShapeFor('result', size);
        return program;
      });
  return asInt32(backend, winners);
}

export const roiAlignWinnersConfig: KernelConfig = {
  kernelName: RoIAlignWinners,
  backendName: 'webgl',
  kernelFunc: roiAlignWinners as unknown as KernelFunc,
};
