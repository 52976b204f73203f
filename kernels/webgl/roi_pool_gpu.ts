/**
 * The RoIPool GPGPU programs. Each holds its shader only; shapes and
 * attributes arrive as uniforms (ROI_POOL_UNIFORMS) set by the kernels.
 */
import {ROI_POOL_UNIFORMS} from '../../shaders/glsl/roi_common';
import {cullInputs, ROI_CULL_UNIFORMS} from '../../shaders/glsl/roi_cull';
import {roiPoolGradShader, roiPoolPackedForwardShader, roiPoolWinnerShader} from '../../shaders/glsl/roi_pool';
import {PackedRoIProgram, RoIProgram} from './roi_program';

/** y [K, outH, outW, C] in tfjs's packed layout (run with runPackedRoIProgram). */
export class RoIPoolPackedProgram extends PackedRoIProgram {
  constructor(texels: number) {
    super(['roiX', 'roiBoxTable'], roiPoolPackedForwardShader(), ROI_POOL_UNIFORMS, texels);
  }
}

/** The winning pixel of each bin, for the gradient (an intermediate): [K, outH, outW, C]. */
export class RoIPoolWinnerProgram extends RoIProgram {
  constructor(outputSize: number) {
    super(['roiX', 'roiBoxTable'], roiPoolWinnerShader(), ROI_POOL_UNIFORMS, 'intermediate', outputSize);
  }
}

/** dx [N, H, W, C] in tfjs's packed layout, over the culled boxes (see culled_gather.ts). */
export class RoIPoolGradProgram extends PackedRoIProgram {
  constructor(texels: number, accumulate: boolean) {
    super(
        ['roiDy', 'roiWinners', 'roiBoxTable', ...cullInputs(accumulate)], roiPoolGradShader(accumulate),
        [...ROI_POOL_UNIFORMS, ...ROI_CULL_UNIFORMS], texels);
  }
}
