/**
 * The box table pass that every RoI kernel runs first (see BOX_GLSL in
 * shaders/glsl/roi_common.ts for why). It holds its shader only.
 */
import {BOX_TABLE_FIELDS, boxTableShader, ROI_POOL_UNIFORMS} from '../../shaders/glsl/roi_common';
import {RoIProgram} from './roi_program';

/** [K, BOX_TABLE_FIELDS], an intermediate. */
export class RoIBoxTableProgram extends RoIProgram {
  constructor(numBoxes: number) {
    super(
        ['roiBoxes', 'roiBoxIndices'], boxTableShader(), ROI_POOL_UNIFORMS, 'intermediate',
        numBoxes * BOX_TABLE_FIELDS);
  }
}
