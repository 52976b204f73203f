import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import type {CustomUniforms} from '../../shaders/glsl/roi_common';

/**
 * What the programs write: a result the kernel returns, or an intermediate
 * that only other RoI programs read (the box table, winners, box shares).
 */
export type OutputKind = 'result'|'intermediate';

/**
 * The logical shape of an output of `size` elements, which decides its
 * texture. tfjs's program key records, for each texture, whether it has one
 * row or several, one column or several, and whether it has the tensor's
 * own 2-D shape; a 1-D or [1, size] output would be one row up to the
 * texture size limit and near-square past it, two entries in the key.
 * [rows, 1, cols] with rows, cols >= 2 is one entry at every size: the
 * texture is [rows, cols], or near-square, never the 3-D shape itself.
 *
 * A result is returned as a tensor, so it takes its exact size: rows is the
 * largest divisor up to the square root ([1, 1, size] when there is none:
 * a prime size, which only degenerate shapes give). An intermediate only
 * feeds other RoI programs, so it is rounded up to a near-square instead;
 * the padding elements are never read.
 *
 * (The programs read every input as a flat 1-D view, so no input's texture
 * is ever compared with an output's.)
 */
export function outputShapeFor(kind: OutputKind, size: number): number[] {
  if (kind === 'intermediate') {
    const rows = Math.max(Math.ceil(Math.sqrt(size)), 2);
    return [rows, 1, Math.max(Math.ceil(size / rows), 2)];
  }
  for (let rows = Math.floor(Math.sqrt(size)); rows >= 2; rows--) {
    if (size % rows === 0) return [rows, 1, size / rows];
  }
  return [1, 1, size];
}

/**
 * What the RoI programs have in common: shape uniforms and their own
 * uniforms. Each subclass picks its inputs and shader; tfjs keys compiled
 * programs by class name and source, so each kind of program is a class.
 */
export abstract class RoIProgram implements GPGPUProgram {
  outputShape: number[];
  enableShapeUniforms = true;

  constructor(
      public variableNames: string[], public userCode: string,
      public customUniforms: CustomUniforms, kind: OutputKind, outputSize: number) {
    this.outputShape = outputShapeFor(kind, outputSize);
  }
}
