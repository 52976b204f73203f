/**
 * The box table pass that every RoI kernel runs first (see BOX_GLSL in
 * shaders/glsl/roi_common.ts for why). It holds its shader only.
 */
import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import {boxTableShader, boxTableShape, ROI_POOL_UNIFORMS} from '../../shaders/glsl/roi_common';

export class RoIBoxTableProgram implements GPGPUProgram {
  variableNames = ['roiBoxes', 'roiBoxIndices'];
  outputShape: number[];
  userCode = boxTableShader();
  enableShapeUniforms = true;
  customUniforms = ROI_POOL_UNIFORMS;

  constructor(numBoxes: number) {
    this.outputShape = boxTableShape(numBoxes);
  }
}
