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

/**
 * tfjs's PackingScheme.DENSE (not exported as a value): with it,
 * runWebGLProgram takes the output texture's size in texels from its caller
 * (customTexShape) rather than from outputShape.
 */
const TEXEL_SHAPE_FROM_CALLER = 0;

/**
 * A program that writes a tensor in tfjs's packed layout (four elements per
 * texel: 2 x 2 blocks of the last two dimensions, the blocks in row-major
 * order), so that one fragment computes four outputs. Its texture is
 * `texels` long (packedTexelShape); outputShape is only the program key's
 * (see outputShapeFor): run it with runPackedRoIProgram, which gives the
 * texture the tensor's real shape.
 */
export abstract class PackedRoIProgram extends RoIProgram {
  packedOutput = true;
  packedInputs = false;
  outPackingScheme = TEXEL_SHAPE_FROM_CALLER as GPGPUProgram['outPackingScheme'];

  constructor(variableNames: string[], userCode: string, customUniforms: CustomUniforms, texels: number) {
    super(variableNames, userCode, customUniforms, 'intermediate', 4 * texels);
    // [rows, cols, 1] rather than [rows, 1, cols]: a packed input's key also
    // records which of its dimensions broadcast against the output's, and
    // none does against a trailing 1 (x [N * H, W, C] with C = 1 included).
    const [rows, , cols] = this.outputShape;
    this.outputShape = [rows, cols, 1];
  }
}

/** The texels of a tensor of `shape` in tfjs's packed layout. */
export function packedTexels(shape: number[]): number {
  const rows = shape.length > 1 ? shape[shape.length - 2] : 1;
  const batches = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return batches * Math.ceil(rows / 2) * Math.ceil(shape[shape.length - 1] / 2);
}

/**
 * [rows, columns] of a near-square texture of at least `texels` texels:
 * the packed layout reads its texels in row-major order whatever their
 * shape, and a near-square's side is at most WEBGL_MAX_TEXTURE_SIZE
 * whenever any texture can hold them.
 */
export function packedTexelShape(texels: number): [number, number] {
  // At least 2 x 2: tfjs's program key records whether a packed input's
  // texture has one row or column of texels (RoIBoxGradSumProgram's has).
  const columns = Math.max(Math.ceil(Math.sqrt(texels)), 2);
  return [Math.max(Math.ceil(texels / columns), 2), columns];
}
