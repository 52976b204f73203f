/**
 * The RoIAlignRotated GPGPU programs. Each holds its shader only: shapes and
 * attributes, the angle's unit and direction included, arrive as uniforms
 * (ROI_ALIGN_ROTATED_UNIFORMS), so one compiled program serves every call.
 */
import {roiBoxGradSumShader} from '../../shaders/glsl/roi_align';
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

/** Per-bin shares of dboxes, [K, outH, outW, 5]. */
export class RoIAlignRotatedBoxGradProgram extends RoIProgram {
  constructor(outputSize: number) {
    super(
        ['roiDy', 'roiX', 'roiBoxTable'], roiAlignRotatedBoxGradShader(), ROI_ALIGN_ROTATED_UNIFORMS,
        'intermediate', outputSize);
  }
}

/** dboxes [K, 5]: the sum of each box's per-bin shares. */
export class RoIRotatedBoxGradSumProgram extends RoIProgram {
  constructor(outputSize: number) {
    super(
        ['roiPartials'], roiBoxGradSumShader(ROTATED_BOX_TABLE_COORDINATES), ROI_ALIGN_ROTATED_UNIFORMS,
        'result', outputSize);
  }
}
