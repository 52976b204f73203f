import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {RoIAlignPackedProgram, RoIAlignSampleTableProgram} from './roi_align_gpu';
import {packedTexels} from './roi_program';
import {alignUniforms, binOutputShape, disposeAfter, requireTexturesFit, requireWebGL2, runPackedOnBins, runPackedRoIProgram, runRoIProgram, withBoxTable, zerosInfo} from './run_roi_program';

/**
 * y comes out in tfjs's packed layout, which the ops after a pooler
 * (convolutions, matMul) read, and each fragment computes four outputs.
 * With a fixed samplingRatio every box has the same number of samples, so a
 * first pass computes each box's row and column samples once (the sample
 * table) and the forward only reads them; an adaptive ratio computes them in
 * the forward, once per four outputs.
 */
export function roiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendWebGL,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes, boxIndices} = inputs;
  const outShape = binOutputShape(inputs, attrs);
  const numBoxes = boxes.shape[0];
  const fromTable = attrs.samplingRatio > 0;
  const tableShape = [numBoxes, (attrs.pooledHeight + attrs.pooledWidth) * attrs.samplingRatio, 2];
  requireWebGL2(RoIAlign);
  requireTexturesFit(RoIAlign, {x: x.shape, y: outShape, ...(fromTable ? {'sample table': tableShape} : {})}, ['y']);
  const uniforms = alignUniforms(x.shape, numBoxes, attrs);
  if (!fromTable) {
    return runPackedOnBins(backend, inputs, attrs, uniforms, texels => new RoIAlignPackedProgram(texels, attrs.mode, false));
  }
  if (util.sizeFromShape(outShape) === 0 || util.sizeFromShape(x.shape) === 0) return zerosInfo(backend, outShape);
  return withBoxTable(backend, boxes, boxIndices, uniforms, table => {
    const samples = runRoIProgram(
        backend, new RoIAlignSampleTableProgram(util.sizeFromShape(tableShape)), [table], uniforms, tableShape);
    return disposeAfter(
        backend, samples,
        () => runPackedRoIProgram(
            backend, new RoIAlignPackedProgram(packedTexels(outShape), attrs.mode, true), [x, table, samples], uniforms,
            outShape));
  });
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'webgl',
  kernelFunc: roiAlign as unknown as KernelFunc,
};
