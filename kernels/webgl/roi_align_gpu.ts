/**
 * The RoIAlign GPGPU programs. Each holds its shader only: shapes and
 * attributes arrive as uniforms (ROI_ALIGN_UNIFORMS) set by the kernels, so
 * one compiled program serves every box count and feature size. The mode is
 * part of the source: it changes the shader's structure, not a number.
 */
import {alignDxInputs, alignGradInputs, MAX_UNROLLED_SAMPLING_RATIO, roiAlignBoxGradShader, roiAlignForwardShader, roiAlignGradShader, RoIAlignForwardSource, roiAlignPackedForwardInputs, roiAlignPackedForwardShader, RoIAlignReduce, roiSampleTableShader, roiBoxGradBlockSumShader, roiPairedSampleTableShader} from '../../shaders/glsl/roi_align';
import {ROI_ALIGN_UNIFORMS} from '../../shaders/glsl/roi_common';
import {ROI_CULL_UNIFORMS} from '../../shaders/glsl/roi_cull';
import type {RoIAlignMode} from '../../src/kernel_names';
import {PackedRoIProgram, RoIProgram} from './roi_program';

/** 'max' mode's winners (an intermediate): [K, outH, outW, C]. (y comes from RoIAlignPackedProgram.) */
export class RoIAlignProgram extends RoIProgram {
  constructor(outputSize: number, reduce: RoIAlignReduce) {
    super(
        ['roiX', 'roiBoxTable'], roiAlignForwardShader(reduce), ROI_ALIGN_UNIFORMS,
        reduce === 'winner' ? 'intermediate' : 'result', outputSize);
  }
}

/**
 * y [K, outH, outW, C] in tfjs's packed layout, four outputs per fragment
 * (run with runPackedRoIProgram). source: where its samples and x come from
 * (RoIAlignForwardSource); 'packed' reads packed inputs.
 */
export class RoIAlignPackedProgram extends PackedRoIProgram {
  /**
   * positionSensitive: psRoiAlign's y ('avg', x unpacked), with the channel
   * map. unrolledRatio: see roiAlignPackedForwardShader.
   */
  constructor(
      texels: number, mode: RoIAlignReduce, source: RoIAlignForwardSource, positionSensitive = false,
      unrolledRatio = 0) {
    super(
        roiAlignPackedForwardInputs(source), roiAlignPackedForwardShader(mode, source, positionSensitive, unrolledRatio),
        ROI_ALIGN_UNIFORMS, texels);
    this.packedInputs = source === 'packed';
  }
}

/** The sample table of samplingRatio > 0 (an intermediate), [K, (outH + outW) * samplingRatio, 2]. */
export class RoIAlignSampleTableProgram extends RoIProgram {
  constructor(outputSize: number) {
    super(['roiBoxTable'], roiSampleTableShader(), ROI_ALIGN_UNIFORMS, 'intermediate', outputSize);
  }
}

/** The paired sample table of the 'packed' forward, `texels` long (run with runPackedRoIProgram). */
export class RoIAlignPairedSampleTableProgram extends PackedRoIProgram {
  constructor(texels: number) {
    super(['roiBoxTable'], roiPairedSampleTableShader(), ROI_ALIGN_UNIFORMS, texels);
  }
}

/** The paired sample table's texels per box (ROI_ALIGN_PAIRED_TABLE_GLSL). */
export function pairedTableTexelsPerBox(pooledHeight: number, pooledWidth: number, samplingRatio: number): number {
  return 1 + (pooledHeight + 2 * Math.ceil(pooledWidth / 2)) * Math.ceil(samplingRatio / 2);
}

/** dx [N, H, W, C] in tfjs's packed layout, over the culled boxes (see culled_gather.ts). */
export class RoIAlignGradProgram extends PackedRoIProgram {
  constructor(texels: number, mode: RoIAlignMode, accumulate: boolean, touch: boolean) {
    super(
        alignDxInputs(mode, accumulate, touch), roiAlignGradShader(mode, accumulate, touch),
        [...ROI_ALIGN_UNIFORMS, ...ROI_CULL_UNIFORMS], texels);
  }
}

/**
 * Per-bin shares of dboxes, one texel (x1, y1, x2, y2) per bin: a packed
 * [K * outH * outW * 2, 2] (run with runPackedRoIProgram), whose texel i
 * holds elements 4i to 4i + 3. positionSensitive: psRoiAlign's.
 */
export class RoIAlignBoxGradProgram extends PackedRoIProgram {
  /** samplingRatio: the attrs'; 'max' caches a bin's samples for a fixed one up to MAX_UNROLLED_SAMPLING_RATIO. */
  constructor(bins: number, mode: RoIAlignMode, positionSensitive = false, samplingRatio = 0) {
    const cachedRatio = mode === 'max' && samplingRatio <= MAX_UNROLLED_SAMPLING_RATIO ? samplingRatio : 0;
    super(
        alignGradInputs(mode, true), roiAlignBoxGradShader(mode, positionSensitive, cachedRatio), ROI_ALIGN_UNIFORMS,
        bins);
  }
}

/**
 * dboxes [K, 4]: the sum of each box's per-bin shares. It reads the shares'
 * texels as they are (packedInputs: tfjs leaves them packed).
 */
export class RoIBoxGradSumProgram extends RoIProgram {
  packedInputs = true;

  constructor(outputSize: number) {
    super(['roiPartials'], roiBoxGradBlockSumShader(), ROI_ALIGN_UNIFORMS, 'result', outputSize);
  }
}
