/**
 * The MultiScaleRoIAlign GPGPU programs: the forward (each box at its own
 * level), its sample table, and the per-level box indices its gradients use. Each holds its
 * shader only; the number of levels and the mode are part of the source.
 */
import {multiScaleForwardInputs, MultiScaleForwardSource, multiScaleLevelIndicesShader, multiScaleRoiAlignShader, multiScaleSampleTableShader, multiScaleUniforms} from '../../shaders/glsl/multi_scale_roi_align';
import type {RoIAlignReduce} from '../../shaders/glsl/roi_align';
import type {MultiScaleRoIAlignAttrs} from '../../src/kernel_names';
import {PackedRoIProgram, RoIProgram} from './roi_program';
import {alignUniforms, RoIUniformValues} from './run_roi_program';

/**
 * y [K, outH, outW, C], or with 'winner' the 'max' winners (a kernel's
 * output too), in tfjs's packed layout, four outputs per fragment (run with
 * runPackedRoIProgram). Inputs: multiScaleForwardInputs(numLevels, source).
 */
export class MultiScaleRoIAlignProgram extends PackedRoIProgram {
  constructor(texels: number, numLevels: number, reduce: RoIAlignReduce, source: MultiScaleForwardSource) {
    super(
        multiScaleForwardInputs(numLevels, source), multiScaleRoiAlignShader(numLevels, reduce, source),
        multiScaleUniforms(numLevels), texels);
  }
}

/**
 * The sample table of samplingRatio > 0 at each box's level (an
 * intermediate), [K, (outH + outW) * samplingRatio, 2]. Input: the box table.
 */
export class MultiScaleSampleTableProgram extends RoIProgram {
  constructor(outputSize: number, numLevels: number) {
    super(
        ['roiBoxTable'], multiScaleSampleTableShader(numLevels), multiScaleUniforms(numLevels), 'intermediate',
        outputSize);
  }
}

/** [K]: image index at level roiTargetLevel, else -1 (an intermediate). Input: the box table. */
export class MultiScaleLevelIndicesProgram extends RoIProgram {
  constructor(numBoxes: number, numLevels: number) {
    super(
        ['roiBoxTable'], multiScaleLevelIndicesShader(numLevels),
        [...multiScaleUniforms(numLevels), {name: 'roiTargetLevel', type: 'int'}], 'intermediate', numBoxes);
  }
}

/** The uniform values of both programs (and of the box table, which reads level 0's). */
export type MultiScaleUniformValues = RoIUniformValues&{
  roiLevelSizes: number[],
  roiLevelScales: number[],
  roiLevelThresholds: number[],
  roiTargetLevel?: number[],
};

export function multiScaleUniformValues(
    levelShapes: number[][], numBoxes: number, attrs: MultiScaleRoIAlignAttrs): MultiScaleUniformValues {
  return {
    ...alignUniforms(levelShapes[0], numBoxes, {...attrs, spatialScale: attrs.spatialScales[0]}),
    roiLevelSizes: levelShapes.flatMap(shape => [shape[1], shape[2]]),
    roiLevelScales: attrs.spatialScales,
    // The array has at least one element; with one level it is never read.
    roiLevelThresholds: attrs.levelThresholds.length === 0 ? [0] : attrs.levelThresholds,
  };
}
