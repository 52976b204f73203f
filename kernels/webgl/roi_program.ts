import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {CustomUniforms} from '../../shaders/glsl/roi_common';

/**
 * What the RoI programs have in common: shape uniforms, their own uniforms,
 * and (all but the box table) a flat output. Each subclass picks its inputs
 * and shader; tfjs keys compiled programs by class name and source, so each
 * kind of program is a class.
 */
export abstract class RoIProgram implements GPGPUProgram {
  outputShape: number[];
  enableShapeUniforms = true;

  constructor(
      public variableNames: string[], public userCode: string,
      public customUniforms: CustomUniforms, outputShape: number[]) {
    this.outputShape = outputShape;
  }
}
