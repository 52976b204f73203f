/**
 * The RoIPool GPGPU programs. Each holds its shader only; shapes and
 * attributes arrive as uniforms (ROI_POOL_UNIFORMS) set by the kernels.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import {ROI_POOL_UNIFORMS} from '../../shaders/glsl/roi_common';
import {roiPoolForwardShader, roiPoolGradShader} from '../../shaders/glsl/roi_pool';

/** y, flat [K * outH * outW * C]. */
export class RoIPoolProgram implements GPGPUProgram {
  variableNames = ['roiX', 'roiBoxTable'];
  outputShape: number[];
  userCode = roiPoolForwardShader();
  enableShapeUniforms = true;
  customUniforms = ROI_POOL_UNIFORMS;

  constructor(outputSize: number) {
    this.outputShape = [outputSize];
  }
}

/** dx, flat [N * H * W * C]. */
export class RoIPoolGradProgram implements GPGPUProgram {
  variableNames = ['roiDy', 'roiX', 'roiBoxTable'];
  outputShape: number[];
  userCode = roiPoolGradShader();
  enableShapeUniforms = true;
  customUniforms = ROI_POOL_UNIFORMS;

  constructor(outputSize: number) {
    this.outputShape = [outputSize];
  }
}
