/**
 * The RoIAlign GPGPU programs. Each holds its shader only: shapes and
 * attributes arrive as uniforms (ROI_ALIGN_UNIFORMS) set by the kernels, so
 * one compiled program serves every box count and feature size. The mode is
 * part of the source: it changes the shader's structure, not a number.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import {roiAlignBoxGradShader, roiAlignForwardShader, roiAlignGradShader, roiBoxGradSumShader} from '../../shaders/glsl/roi_align';
import {ROI_ALIGN_UNIFORMS} from '../../shaders/glsl/roi_common';
import type {RoIAlignMode} from '../../src/kernel_names';

/** y, flat [K * outH * outW * C]. */
export class RoIAlignProgram implements GPGPUProgram {
  variableNames = ['roiX', 'roiBoxTable'];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = true;
  customUniforms = ROI_ALIGN_UNIFORMS;

  constructor(outputSize: number, mode: RoIAlignMode) {
    this.outputShape = [outputSize];
    this.userCode = roiAlignForwardShader(mode);
  }
}

/** dx, flat [N * H * W * C]; 'avg' does not read x. */
export class RoIAlignGradProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = true;
  customUniforms = ROI_ALIGN_UNIFORMS;

  constructor(outputSize: number, mode: RoIAlignMode) {
    this.variableNames = mode === 'max' ? ['roiDy', 'roiX', 'roiBoxTable'] :
                                          ['roiDy', 'roiBoxTable'];
    this.outputShape = [outputSize];
    this.userCode = roiAlignGradShader(mode);
  }
}

/** Per-bin shares of dboxes, flat [K * outH * outW * 4]. */
export class RoIAlignBoxGradProgram implements GPGPUProgram {
  variableNames = ['roiDy', 'roiX', 'roiBoxTable'];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = true;
  customUniforms = ROI_ALIGN_UNIFORMS;

  constructor(outputSize: number, mode: RoIAlignMode) {
    this.outputShape = [outputSize];
    this.userCode = roiAlignBoxGradShader(mode);
  }
}

/** dboxes, flat [K * 4]: the sum of each box's per-bin shares. */
export class RoIBoxGradSumProgram implements GPGPUProgram {
  variableNames = ['roiPartials'];
  outputShape: number[];
  userCode = roiBoxGradSumShader();
  enableShapeUniforms = true;
  customUniforms = ROI_ALIGN_UNIFORMS;

  constructor(outputSize: number) {
    this.outputShape = [outputSize];
  }
}
