import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {multiScaleLevelIndicesWgsl, multiScaleLevelInputs, multiScaleRoiAlignWgsl, multiScaleUniforms} from '../../shaders/wgsl/multi_scale_roi_align';
import type {RoIAlignLanes, RoIAlignOutput} from '../../shaders/wgsl/roi_align';
import type {MultiScaleRoIAlignAttrs, RoIAlignMode} from '../../src/kernel_names';
import {ProgramUniforms, RoIProgram, roiUniforms} from './roi_webgpu_util';

/**
 * MultiScaleRoIAlign forward, one invocation per element of [K,outH,outW,C]
 * (or per four channels), each box sampled at its own level: y, or in 'max'
 * mode with output 'winner' the winners (int32). The number of levels is
 * compiled in, as is everything RoIAlignProgram compiles in (the sampling
 * ratio is a uniform, as there).
 */
export class MultiScaleRoIAlignProgram extends RoIProgram {
  shaderKey: string;
  variableNames: string[];
  variableComponents?: number[];
  outputComponent?: number;
  uniforms: string;

  constructor(
      outputShape: number[], private readonly numLevels: number, private readonly mode: RoIAlignMode,
      private readonly aligned: boolean, private readonly lanes: RoIAlignLanes,
      private readonly output: RoIAlignOutput = 'value') {
    super(outputShape, outputShape.reduce((a, b) => a * b, 1) / lanes);
    this.variableNames = ['boxes', 'boxIndices', ...multiScaleLevelInputs(numLevels)];
    this.uniforms = `${ROI_UNIFORMS} ${multiScaleUniforms(numLevels)}`;
    if (lanes === 4) {
      this.variableComponents = [1, 1, ...multiScaleLevelInputs(numLevels).map(() => 4)];
      this.outputComponent = 4;
    }
    this.shaderKey = `multiScaleRoiAlign_${numLevels}_${mode}_${output}_${aligned ? 'aligned' : 'unaligned'}${
        lanes === 4 ? '_lanes4' : ''}`;
  }

  getUserCode(): string {
    return multiScaleRoiAlignWgsl(this.numLevels, this.mode, this.aligned, this.lanes, this.output);
  }
}

/** [K] int32: each box's image index at one level (a uniform), -1 at the others. */
export class MultiScaleLevelIndicesProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['boxes', 'boxIndices'];
  uniforms: string;

  constructor(numBoxes: number, private readonly numLevels: number) {
    super([numBoxes]);
    this.uniforms = `${ROI_UNIFORMS} ${multiScaleUniforms(numLevels)} targetLevel : i32,`;
    this.shaderKey = `multiScaleLevelIndices_${numLevels}`;
  }

  getUserCode(): string {
    return multiScaleLevelIndicesWgsl(this.numLevels);
  }
}

/** Values for ROI_UNIFORMS (level 0's shape and scale) and multiScaleUniforms, in order. */
export function multiScaleUniformValues(
    levelShapes: number[][], numBoxes: number, attrs: MultiScaleRoIAlignAttrs): ProgramUniforms {
  const perLevel: ProgramUniforms = [];
  levelShapes.forEach((shape, l) => {
    perLevel.push(
        {type: 'int32', data: [shape[1]]}, {type: 'int32', data: [shape[2]]},
        {type: 'float32', data: [attrs.spatialScales[l]]});
  });
  return [
    ...roiUniforms(levelShapes[0], numBoxes, {...attrs, spatialScale: attrs.spatialScales[0]}),
    ...perLevel,
    ...attrs.levelThresholds.map(t => ({type: 'float32' as const, data: [t]})),
  ];
}
