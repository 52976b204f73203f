/**
 * The RoIPool GPGPU programs. Each holds its shader only; shapes and
 * attributes arrive as uniforms (ROI_POOL_UNIFORMS) set by the kernels.
 */
import {ROI_POOL_UNIFORMS} from '../../shaders/glsl/roi_common';
import {roiPoolForwardShader, roiPoolGradShader, RoIPoolReduce} from '../../shaders/glsl/roi_pool';
import {RoIProgram} from './roi_program';

/** y, or the winning pixels (an intermediate): [K, outH, outW, C]. */
export class RoIPoolProgram extends RoIProgram {
  constructor(outputSize: number, reduce: RoIPoolReduce) {
    super(
        ['roiX', 'roiBoxTable'], roiPoolForwardShader(reduce), ROI_POOL_UNIFORMS,
        reduce === 'winner' ? 'intermediate' : 'result', outputSize);
  }
}

/** dx [N, H, W, C]. */
export class RoIPoolGradProgram extends RoIProgram {
  constructor(outputSize: number) {
    super(['roiDy', 'roiWinners', 'roiBoxTable'], roiPoolGradShader(), ROI_POOL_UNIFORMS, 'result', outputSize);
  }
}
