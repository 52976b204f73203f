/**
 * The position-sensitive GPGPU programs (psRoiAlign, psRoiPool). Each holds
 * its shader only; shapes and attributes arrive as uniforms set by the
 * kernels. psRoiAlign's forward is RoIAlign's packed one with the channel map
 * (RoIAlignPackedProgram), and its box gradient RoIAlign's (RoIAlignBoxGradProgram).
 */
import {psRoiAlignGradShader, psRoiPoolForwardShader, psRoiPoolGradShader} from '../../shaders/glsl/ps_roi';
import {ROI_ALIGN_UNIFORMS, ROI_POOL_UNIFORMS} from '../../shaders/glsl/roi_common';
import {cullInputs, ROI_CULL_UNIFORMS} from '../../shaders/glsl/roi_cull';
import {PackedRoIProgram} from './roi_program';

/** psRoiAlign's dx [N, H, W, C] in tfjs's packed layout, over the culled boxes (see culled_gather.ts). */
export class PsRoIAlignGradProgram extends PackedRoIProgram {
  constructor(texels: number, accumulate: boolean, touch: boolean) {
    super(
        ['roiDy', 'roiBoxTable', ...cullInputs(accumulate, touch)], psRoiAlignGradShader(accumulate, touch),
        [...ROI_ALIGN_UNIFORMS, ...ROI_CULL_UNIFORMS], texels);
  }
}

/** psRoiPool's y [K, outH, outW, Cout] in tfjs's packed layout (run with runPackedRoIProgram). */
export class PsRoIPoolProgram extends PackedRoIProgram {
  constructor(texels: number) {
    super(['roiX', 'roiBoxTable'], psRoiPoolForwardShader(), ROI_POOL_UNIFORMS, texels);
  }
}

/** psRoiPool's dx [N, H, W, C] in tfjs's packed layout, over the culled boxes (see culled_gather.ts). */
export class PsRoIPoolGradProgram extends PackedRoIProgram {
  constructor(texels: number, accumulate: boolean) {
    super(
        ['roiDy', 'roiBoxTable', ...cullInputs(accumulate)], psRoiPoolGradShader(accumulate),
        [...ROI_POOL_UNIFORMS, ...ROI_CULL_UNIFORMS], texels);
  }
}
