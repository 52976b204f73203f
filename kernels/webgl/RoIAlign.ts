import {util} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {MAX_UNROLLED_SAMPLING_RATIO} from '../../shaders/glsl/roi_align';
import type {RoIAlignForwardSource, RoIAlignReduce} from '../../shaders/glsl/roi_align';
import {pairedTableTexelsPerBox, RoIAlignPackedProgram, RoIAlignPairedSampleTableProgram, RoIAlignSampleTableProgram} from './roi_align_gpu';
import {packedTexels} from './roi_program';
import {alignUniforms, binOutputShape, disposeAfter, packedInPlace, requireTexturesFit, requireWebGL2, runOnBins, runPackedRoIProgram, runRoIProgram, textureFits, withBoxTable, zerosInfo} from './run_roi_program';

/**
 * Where the forward gets its samples and x (RoIAlignForwardSource): x in
 * place where packedInPlace allows it, else unpacked.
 */
function forwardSource(
    backend: MathBackendWebGL, x: TensorInfo, samplingRatio: number,
    positionSensitive: boolean): RoIAlignForwardSource {
  if (!(samplingRatio > 0)) return 'geometry';
  // psRoI's two channels of a texel lie outH * outW apart in x: not one packed texel.
  return !positionSensitive && packedInPlace(backend, x) !== null ? 'packed' : 'table';
}

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
  return runPackedAlign(args.backend, args.inputs, args.attrs, args.attrs.mode, RoIAlign, 'y');
}

/**
 * The packed forward's `reduce` of every bin, [K, outH, outW, C] in tfjs's
 * packed layout (see roiAlign): y, or for 'winner' the 'max' winners
 * (RoIAlignWinners, whose caller returns -1s for an empty output).
 * `kernel` and `output` name the call in a texture-limit Error.
 * positionSensitive: psRoiAlign's y, C / (outH * outW) channels ('avg').
 */
export function runPackedAlign(
    backend: MathBackendWebGL, inputs: RoIInputs, attrs: RoIAlignAttrs, reduce: RoIAlignReduce, kernel: string,
    output: string, positionSensitive = false): TensorInfo {
  const {x, boxes, boxIndices} = inputs;
  const outShape = binOutputShape(inputs, attrs, positionSensitive);
  const numBoxes = boxes.shape[0];
  const entries = (attrs.pooledHeight + attrs.pooledWidth) * attrs.samplingRatio;
  const tableShape = [numBoxes, entries, 2];
  requireWebGL2(kernel);
  requireTexturesFit(kernel, {x: x.shape, [output]: outShape}, [output]);
  const uniforms = alignUniforms(x.shape, numBoxes, attrs);
  // The sample table only saves work: where it would not fit a texture (the
  // packed one is smaller), the forward computes the samples itself.
  const source = textureFits(tableShape) ? forwardSource(backend, x, attrs.samplingRatio, positionSensitive) : 'geometry';
  const unrolledRatio =
      source === 'packed' && attrs.samplingRatio <= MAX_UNROLLED_SAMPLING_RATIO ? attrs.samplingRatio : 0;
  const makeProgram = (shape: number[]) =>
      new RoIAlignPackedProgram(packedTexels(shape), reduce, source, positionSensitive, unrolledRatio);
  if (source === 'geometry') return runOnBins(backend, inputs, attrs, uniforms, makeProgram, outShape[3]);
  if (util.sizeFromShape(outShape) === 0 || util.sizeFromShape(x.shape) === 0) return zerosInfo(backend, outShape);
  const program = makeProgram(outShape);
  return withBoxTable(backend, boxes, boxIndices, uniforms, table => {
    if (source === 'table') {
      const samples = runRoIProgram(
          backend, new RoIAlignSampleTableProgram(util.sizeFromShape(tableShape)), [table], uniforms, tableShape);
      return disposeAfter(
          backend, samples, () => runPackedRoIProgram(backend, program, [x, table, samples], uniforms, outShape));
    }
    const texels = numBoxes * pairedTableTexelsPerBox(attrs.pooledHeight, attrs.pooledWidth, attrs.samplingRatio);
    const samples = runPackedRoIProgram(
        backend, new RoIAlignPairedSampleTableProgram(texels), [table], uniforms, [2 * texels, 2]);
    const xView = packedInPlace(backend, x)!;
    return disposeAfter(backend, samples, () => runPackedRoIProgram(backend, program, [xView, samples], uniforms, outShape));
  });
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'webgl',
  kernelFunc: roiAlign as unknown as KernelFunc,
};
