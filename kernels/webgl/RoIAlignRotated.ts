import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlignRotated, RoIAlignRotatedAttrs, RoIInputs} from '../../src/kernel_names';
import {RoIAlignRotatedPackedProgram} from './roi_align_rotated_gpu';
import {packedTexels} from './roi_program';
import {binOutputShape, packedInPlace, requireTexturesFit, requireWebGL2, rotatedUniforms, runOnBins, runPackedRoIProgram, withBoxTable, withTableBoundAsItIs, zerosInfo} from './run_roi_program';

/**
 * y comes out in tfjs's packed layout, as roiAlign's does, each fragment
 * computing two bins in two channels from one box; x is read in place
 * where it is packed or still on the CPU (packedInPlace), else unpacked.
 */
export function roiAlignRotated(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  requireWebGL2(RoIAlignRotated);
  requireTexturesFit(
      RoIAlignRotated, {x: args.inputs.x.shape, y: binOutputShape(args.inputs, args.attrs)}, ['y']);
  const {inputs, backend, attrs} = args;
  const {x, boxes, boxIndices} = inputs;
  const uniforms = rotatedUniforms(x.shape, boxes.shape[0], attrs);
  const xView = packedInPlace(backend, x);
  if (xView === null) {
    return runOnBins(
        backend, inputs, attrs, uniforms, shape => new RoIAlignRotatedPackedProgram(packedTexels(shape), false));
  }
  const outShape = binOutputShape(inputs, attrs);
  if (util.sizeFromShape(outShape) === 0 || util.sizeFromShape(x.shape) === 0) return zerosInfo(backend, outShape);
  const program = new RoIAlignRotatedPackedProgram(packedTexels(outShape), true);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => withTableBoundAsItIs(
          backend, table, tableView => runPackedRoIProgram(backend, program, [xView, tableView], uniforms, outShape)));
}

export const roiAlignRotatedConfig: KernelConfig = {
  kernelName: RoIAlignRotated,
  backendName: 'webgl',
  kernelFunc: roiAlignRotated as unknown as KernelFunc,
};
