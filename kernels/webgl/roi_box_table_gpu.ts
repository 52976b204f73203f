/**
 * The box table pass that every RoI kernel runs first (see BOX_GLSL in
 * shaders/glsl/roi_common.ts for why). It holds its shader only.
 */
import {boxTableShader, ROI_POOL_UNIFORMS} from '../../shaders/glsl/roi_common';
import {RoIProgram} from './roi_program';

/** [K, coordinates + 1] (BOX_TABLE_FIELDS for corner boxes), an intermediate. */
export class RoIBoxTableProgram extends RoIProgram {
  constructor(numBoxes: number, coordinates = 4) {
    super(
        ['roiBoxes', 'roiBoxIndices'], boxTableShader(coordinates), ROI_POOL_UNIFORMS, 'intermediate',
        numBoxes * (coordinates + 1));
  }
}
