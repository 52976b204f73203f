import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {MultiScaleRoIAlign, MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIList} from '../../src/kernel_names';
import type {RoIAlignReduce} from '../../shaders/glsl/roi_align';
import {MultiScaleRoIAlignProgram, MultiScaleSampleTableProgram, multiScaleUniformValues} from './multi_scale_roi_align_gpu';
import {packedTexels} from './roi_program';
import {disposeAfter, requireTexturesFit, requireWebGL2, runPackedRoIProgram, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/**
 * y in one program for all levels: every output samples its box's own
 * level, written in tfjs's packed layout (as roiAlign's y), four outputs per
 * fragment sharing the box and its samples. With a fixed samplingRatio a
 * first pass computes each box's samples once, at its level (the sample
 * table, as roiAlign's).
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
  const numBoxes = boxes.shape[0];
  const outShape = [numBoxes, attrs.pooledHeight, attrs.pooledWidth, levels[0].shape[3]];
  const source = attrs.samplingRatio > 0 ? 'table' : 'geometry';
  const tableShape = [numBoxes, (attrs.pooledHeight + attrs.pooledWidth) * attrs.samplingRatio, 2];
  // The levels are read one float per texel.
  const levelShapes = Object.fromEntries(levels.map((x, l) => [`level ${l}`, x.shape]));
  requireTexturesFit(
      kernel, {...levelShapes, [output]: outShape, ...(source === 'table' ? {'sample table': tableShape} : {})},
      [output]);
  if (util.sizeFromShape(outShape) === 0 || levels.some(x => util.sizeFromShape(x.shape) === 0)) {
    return zerosInfo(backend, outShape);
  }
  const uniforms = multiScaleUniformValues(levels.map(x => x.shape), numBoxes, attrs);
  const program = new MultiScaleRoIAlignProgram(packedTexels(outShape), levels.length, reduce, source);
  return withBoxTable(backend, boxes, boxIndices, uniforms, table => {
    if (source === 'geometry') return runPackedRoIProgram(backend, program, [table, ...levels], uniforms, outShape);
    const samples = runRoIProgram(
        backend, new MultiScaleSampleTableProgram(util.sizeFromShape(tableShape), levels.length), [table], uniforms,
        tableShape);
    return disposeAfter(
        backend, samples, () => runPackedRoIProgram(backend, program, [table, samples, ...levels], uniforms, outShape));
  });
}

export const multiScaleRoiAlignConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlign,
  backendName: 'webgl',
  kernelFunc: multiScaleRoiAlign as unknown as KernelFunc,
};
