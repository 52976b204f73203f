/**
 * The RoIAlignRotated GPGPU programs. Each holds its shader only: shapes and
 * attributes, the angle's unit and direction included, arrive as uniforms
 * (ROI_ALIGN_ROTATED_UNIFORMS), so one compiled program serves every call.
 */
import {roiBoxGradBlockSumShader} from '../../shaders/glsl/roi_align';
import {ROI_ALIGN_ROTATED_UNIFORMS, roiAlignRotatedBoxGradShader, roiAlignRotatedPackedForwardShader, roiAlignRotatedGradShader, ROTATED_BOX_TABLE_COORDINATES} from '../../shaders/glsl/roi_align_rotated';
import {cullInputs, ROI_CULL_UNIFORMS} from '../../shaders/glsl/roi_cull';
import {PackedRoIProgram, RoIProgram} from './roi_program';

/**
 * y [K, outH, outW, C] in tfjs's packed layout (run with runPackedRoIProgram).
 * packedX: x is read in place, packed, and the box table bound as its
 * texture is (withTableBoundAsItIs).
 */
export class RoIAlignRotatedPackedProgram extends PackedRoIProgram {
  constructor(texels: number, packedX: boolean) {
    super(['roiX', 'roiBoxTable'], roiAlignRotatedPackedForwardShader(packedX), ROI_ALIGN_ROTATED_UNIFORMS, texels);
    this.packedInputs = packedX;
  }
}

/** dx [N, H, W, C] in tfjs's packed layout, over the culled boxes (see culled_gather.ts). */
export class RoIAlignRotatedGradProgram extends PackedRoIProgram {
  constructor(texels: number, accumulate: boolean) {
    super(
        ['roiDy', 'roiBoxTable', ...cullInputs(accumulate)], roiAlignRotatedGradShader(accumulate),
        [...ROI_ALIGN_ROTATED_UNIFORMS, ...ROI_CULL_UNIFORMS], texels);
  }
}

/**
 * Per-bin shares of dboxes, two texels per bin, (cx, cy, w, h) and
 * (angle, 0, 0, 0): a packed [K * outH * outW * 4, 2] (run with
 * runPackedRoIProgram), whose texel i holds elements 4i to 4i + 3.
 */
export class RoIAlignRotatedBoxGradProgram extends PackedRoIProgram {
  constructor(bins: number) {
    super(['roiDy', 'roiX', 'roiBoxTable'], roiAlignRotatedBoxGradShader(), ROI_ALIGN_ROTATED_UNIFORMS, 2 * bins);
  }
}

/**
 * dboxes [K, 5]: the sum of each box's per-bin shares. It reads the shares'
 * texels as they are (packedInputs: tfjs leaves them packed).
 */
export class RoIRotatedBoxGradSumProgram extends RoIProgram {
  packedInputs = true;

  constructor(outputSize: number) {
    super(
        ['roiPartials'], roiBoxGradBlockSumShader(ROTATED_BOX_TABLE_COORDINATES), ROI_ALIGN_ROTATED_UNIFORMS,
        'result', outputSize);
  }
}
