import {getKernel} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {levelRoIAlignAttrs, MultiScaleRoIAlignAttrs, MultiScaleRoIAlignGrad, multiScaleInputs, MultiScaleRoIList} from '../../src/kernel_names';
import type {RoIAlignAttrs, RoIAlignGradInputs} from '../../src/kernel_names';
import {MultiScaleLevelIndicesProgram, multiScaleUniformValues} from './multi_scale_roi_align_gpu';
import {roiAlignGrad} from './RoIAlignGrad';
import {disposeAfter, requireWebGL2, runRoIProgram, withBoxTable, withUnpacked} from './run_roi_program';

/**
 * Runs `perLevel` once per level on RoIAlign's gradient inputs with the
 * boxes of the other levels given batch index -1 (decided on the GPU, as
 * the forward decides them), which RoIAlign's gradient programs skip: so
 * each level costs what its own boxes cost. Given winners
 * (MultiScaleRoIAlignWinners) go to every level whole: a level reads only
 * its own boxes' bins. The programs read dy and the winners unpacked, and
 * both may come packed (the winners do, as the forward writes them): they
 * are unpacked once here rather than by each program of each level.
 */
export function forEachLevelOnGpu(
    backend: MathBackendWebGL, list: MultiScaleRoIList, attrs: MultiScaleRoIAlignAttrs,
    perLevel: (inputs: RoIAlignGradInputs, attrs: RoIAlignAttrs) => TensorInfo): TensorInfo[] {
  const {boxes, boxIndices, levels, dy, winners} = multiScaleInputs(list, attrs);
  const numBoxes = boxes.shape[0];
  const uniforms = multiScaleUniformValues(levels.map(x => x.shape), numBoxes, attrs);
  const given = winners === undefined ? [dy!] : [dy!, winners];
  return withUnpacked(backend, given, ([levelDy, levelWinners]) => levels.map((x, l) => {
    const run = (indices: TensorInfo) => perLevel(
        {dy: levelDy, x, boxes, boxIndices: indices, winners: levelWinners}, levelRoIAlignAttrs(attrs, l));
    if (levels.length === 1 || numBoxes === 0) return run(boxIndices);
    const levelUniforms = {...uniforms, roiTargetLevel: [l]};
    const indices = withBoxTable(
        backend, boxes, boxIndices, levelUniforms,
        table => runRoIProgram(
            backend, new MultiScaleLevelIndicesProgram(numBoxes, levels.length), [table], levelUniforms, [numBoxes]));
    return disposeAfter(backend, indices, run);
  }));
}

/** dx of every level: RoIAlign's gather gradient per level, on that level's boxes. */
export function multiScaleRoiAlignGrad(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendWebGL,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo[] {
  requireWebGL2(MultiScaleRoIAlignGrad);
  const {inputs, backend, attrs} = args;
  return forEachLevelOnGpu(
      backend, inputs, attrs, (levelInputs, levelAttrs) => roiAlignGrad({inputs: levelInputs, backend, attrs: levelAttrs}));
}

export const multiScaleRoiAlignGradConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignGrad,
  backendName: 'webgl',
  kernelFunc: multiScaleRoiAlignGrad as unknown as KernelFunc,
};

/** The sum of same-shaped tensors by the backend's own AddN; disposes the parts. */
export function sumOnGpu(backend: MathBackendWebGL, parts: TensorInfo[]): TensorInfo {
  if (parts.length === 1) return parts[0];
  const addN = getKernel('AddN', 'webgl')!.kernelFunc;
  try {
    return addN({inputs: parts as never, backend, attrs: {}}) as TensorInfo;
  } finally {
    for (const t of parts) backend.disposeIntermediateTensorInfo(t);
  }
}
