import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {MultiScaleRoIAlign, MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIList} from '../../src/kernel_names';
import type {RoIAlignReduce} from '../../shaders/glsl/roi_align';
import {MultiScaleRoIAlignProgram, multiScaleUniformValues} from './multi_scale_roi_align_gpu';
import {packedTexels} from './roi_program';
import {requireTexturesFit, requireWebGL2, runPackedRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/**
 * y in one program: every output samples its box's own level, written in
 * tfjs's packed layout (as roiAlign's y), four outputs per fragment sharing
 * the box and its samples.
 */
export function multiScaleRoiAlign(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendWebGL,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  return runMultiScaleAlign(args.backend, args.inputs, args.attrs, args.attrs.mode, MultiScaleRoIAlign, 'y');
}

/**
 * The packed forward's `reduce` of every bin, each box at its own level,
 * [K, outH, outW, C] in tfjs's packed layout: y, or for 'winner' the 'max'
 * winners (MultiScaleRoIAlignWinners, whose caller returns -1s for an
 * empty output). `kernel` and `output` name the call in a texture-limit
 * Error.
 */
export function runMultiScaleAlign(
    backend: MathBackendWebGL, list: MultiScaleRoIList, attrs: MultiScaleRoIAlignAttrs, reduce: RoIAlignReduce,
    kernel: string, output: string): TensorInfo {
  requireWebGL2(kernel);
  const {boxes, boxIndices, levels} = multiScaleInputs(list, attrs);
  const outShape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, levels[0].shape[3]];
  // The levels are read one float per texel.
  const levelShapes = Object.fromEntries(levels.map((x, l) => [`level ${l}`, x.shape]));
  requireTexturesFit(kernel, {...levelShapes, [output]: outShape}, [output]);
  if (util.sizeFromShape(outShape) === 0 || levels.some(x => util.sizeFromShape(x.shape) === 0)) {
    return zerosInfo(backend, outShape);
  }
  const uniforms = multiScaleUniformValues(levels.map(x => x.shape), boxes.shape[0], attrs);
  const program = new MultiScaleRoIAlignProgram(packedTexels(outShape), levels.length, reduce);
  return withBoxTable(
      backend, boxes, boxIndices, uniforms,
      table => runPackedRoIProgram(backend, program, [table, ...levels], uniforms, outShape));
}

export const multiScaleRoiAlignConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlign,
  backendName: 'webgl',
  kernelFunc: multiScaleRoiAlign as unknown as KernelFunc,
};
