/**
 * The box table pass that every RoI kernel runs first (see BOX_GLSL in
 * shaders/glsl/roi_common.ts for why). It holds its shader only.
 */
import {boxTableShader, boxTableShape, ROI_POOL_UNIFORMS} from '../../shaders/glsl/roi_common';
import {RoIProgram} from './roi_program';

/** [2, 3K]: not flat, so that it has two rows for every K. */
export class RoIBoxTableProgram extends RoIProgram {
  constructor(numBoxes: number) {
    super(['roiBoxes', 'roiBoxIndices'], boxTableShader(), ROI_POOL_UNIFORMS, boxTableShape(numBoxes));
  }
}
