/**
 * The RoIPool GPGPU programs. Each holds its shader only; shapes and
 * attributes arrive as uniforms (ROI_POOL_UNIFORMS) set by the kernels.
 */
import {ROI_POOL_UNIFORMS} from '../../shaders/glsl/roi_common';
import {cullInputs, ROI_CULL_UNIFORMS} from '../../shaders/glsl/roi_cull';
import {roiPoolForwardShader, roiPoolGradShader, RoIPoolReduce} from '../../shaders/glsl/roi_pool';
import {PackedRoIProgram, RoIProgram} from './roi_program';

/** y, or the winning pixels (an intermediate): [K, outH, outW, C]. */
export class RoIPoolProgram extends RoIProgram {
  constructor(outputSize: number, reduce: RoIPoolReduce) {
    super(
        ['roiX', 'roiBoxTable'], roiPoolForwardShader(reduce), ROI_POOL_UNIFORMS,
        reduce === 'winner' ? 'intermediate' : 'result', outputSize);
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
