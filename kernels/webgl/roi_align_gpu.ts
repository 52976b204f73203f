/**
 * The RoIAlign GPGPU programs. Each holds its shader only: shapes and
 * attributes arrive as uniforms (ROI_ALIGN_UNIFORMS) set by the kernels, so
 * one compiled program serves every box count and feature size. The mode is
 * part of the source: it changes the shader's structure, not a number.
 */
import {alignDxInputs, alignGradInputs, roiAlignBoxGradShader, roiAlignForwardShader, roiAlignGradShader, RoIAlignReduce, roiBoxGradSumShader} from '../../shaders/glsl/roi_align';
import {ROI_ALIGN_UNIFORMS} from '../../shaders/glsl/roi_common';
import {ROI_CULL_UNIFORMS} from '../../shaders/glsl/roi_cull';
import type {RoIAlignMode} from '../../src/kernel_names';
import {RoIProgram} from './roi_program';

/** y, or 'max' mode's winners (an intermediate): [K, outH, outW, C]. */
export class RoIAlignProgram extends RoIProgram {
  constructor(outputSize: number, reduce: RoIAlignReduce) {
    super(
        ['roiX', 'roiBoxTable'], roiAlignForwardShader(reduce), ROI_ALIGN_UNIFORMS,
        reduce === 'winner' ? 'intermediate' : 'result', outputSize);
  }
}

/** dx [N, H, W, C], over the culled boxes (see culled_gather.ts). */
export class RoIAlignGradProgram extends RoIProgram {
  constructor(outputSize: number, mode: RoIAlignMode, accumulate: boolean, touch: boolean) {
    super(
        alignDxInputs(mode, accumulate, touch), roiAlignGradShader(mode, accumulate, touch),
        [...ROI_ALIGN_UNIFORMS, ...ROI_CULL_UNIFORMS], 'result', outputSize);
  }
}

/** Per-bin shares of dboxes, [K, outH, outW, 4]; positionSensitive: psRoiAlign's. */
export class RoIAlignBoxGradProgram extends RoIProgram {
  constructor(outputSize: number, mode: RoIAlignMode, positionSensitive = false) {
    super(
        alignGradInputs(mode, true), roiAlignBoxGradShader(mode, positionSensitive), ROI_ALIGN_UNIFORMS,
        'intermediate', outputSize);
  }
}

/** dboxes [K, 4]: the sum of each box's per-bin shares. */
export class RoIBoxGradSumProgram extends RoIProgram {
  constructor(outputSize: number) {
    super(['roiPartials'], roiBoxGradSumShader(), ROI_ALIGN_UNIFORMS, 'result', outputSize);
  }
}
