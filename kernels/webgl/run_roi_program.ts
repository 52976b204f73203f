/**
 * What every webgl RoI kernel does around its program: refuse WebGL 1, build
 * the uniform values, run on flat views of the inputs, and return the output
 * in its real shape.
 */
import {env, util} from '@tensorflow/tfjs-core';
import type {TensorInfo} from '@tensorflow/tfjs-core';
import type {GPGPUProgram, MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import type {RoIAlignAttrs, RoIGradInputs, RoIPoolAttrs} from '../../src/kernel_names';
import type {RoIAlignRotatedAttrs} from '../../src/kernel_names';
import {radiansPerAngle} from '../../src/geometry';
import {RoIBoxTableProgram} from './roi_box_table_gpu';
import {PackedRoIProgram, packedTexels, packedTexelShape} from './roi_program';

/**
 * The shaders need WebGL 2 (GLSL ES 3.0): integer texel fetches, bit casts
 * for the exact arithmetic and finiteness tests, and loops with uniform
 * bounds. Under WebGL 1 they would not compile, so say so up front.
 */
export function requireWebGL2(kernelName: string): void {
  const version = env().getNumber('WEBGL_VERSION');
  if (version !== 2) {
    throw new Error(
        `${kernelName} on the webgl backend needs WebGL 2, but this context is WebGL ${version}. ` +
        `Use a browser with WebGL 2, or the cpu or webgpu backend.`);
  }
}

/**
 * Whether a tensor of this shape fits one texture: tfjs lays out a tensor
 * that does not fit its own shape as a near-square of ceil(sqrt(texels))
 * texels a side. packed: four elements per texel (packedTexels).
 */
export function textureFits(shape: number[], packed = false): boolean {
  const texels = packed ? packedTexels(shape) : util.sizeFromShape(shape);
  return Math.ceil(Math.sqrt(texels)) <= env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
}

/**
 * Refuses, before anything is uploaded or allocated, a call with a tensor
 * that no texture can hold: tfjs lays out a tensor that does not fit its
 * own shape as a near-square of ceil(sqrt(texels)) texels a side, so a
 * tensor fits when that side is at most WEBGL_MAX_TEXTURE_SIZE. `tensors`
 * names each input, output and intermediate with its shape; those named in
 * `packed` hold four elements per texel (packedTexels), the others one.
 * (Left to tfjs, the failure would come after the earlier programs'
 * textures were allocated.)
 */
export function requireTexturesFit(
    kernelName: string, tensors: Record<string, number[]>, packed: string[] = []): void {
  const maxSide = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  for (const [name, shape] of Object.entries(tensors)) {
    const size = util.sizeFromShape(shape);
    const isPacked = packed.includes(name);
    const texels = isPacked ? packedTexels(shape) : size;
    if (!textureFits(shape, isPacked)) {
      const layout = isPacked ? `, packed four to a texel: ${texels} texels` : '';
      throw new Error(
          `${kernelName} on the webgl backend: ${name} [${shape}] has ${size} elements, more than one ` +
          `texture holds here (${maxSide}x${maxSide} = ${maxSide * maxSide}, WEBGL_MAX_TEXTURE_SIZE ${maxSide}${layout}). ` +
          `Split the call (fewer boxes, channels or images), or use the cpu or webgpu backend.`);
    }
  }
}

/**
 * [K, outH, outW, C] of a forward kernel's y, or with positionSensitive
 * [K, outH, outW, C / (outH * outW)].
 */
export function binOutputShape(
    inputs: {x: TensorInfo, boxes: TensorInfo}, pooled: {pooledHeight: number, pooledWidth: number},
    positionSensitive = false): number[] {
  const {pooledHeight, pooledWidth} = pooled;
  const channels = inputs.x.shape[3] / (positionSensitive ? pooledHeight * pooledWidth : 1);
  return [inputs.boxes.shape[0], pooledHeight, pooledWidth, channels];
}

/** What a box gradient reads and writes: x, dy, and its shares [K, outH, outW, fields]. */
export function boxGradTextures(inputs: {x: TensorInfo, dy: TensorInfo}, fields: number): Record<string, number[]> {
  return {x: inputs.x.shape, dy: inputs.dy.shape, 'box shares': [...inputs.dy.shape.slice(0, 3), fields]};
}

/** Values of the uniforms the RoI programs declare, by name. */
export interface RoIUniformValues {
  roiXDims: number[];
  roiPooledSize: number[];
  roiBoxCount: number[];
  roiScale: number[];
  roiSamplingRatio?: number[];
  roiAligned?: number[];
  roiRadiansPerAngle?: number[];
  roiCullWords?: number[];
  roiWordRange?: number[];
}

export function poolUniforms(
    xShape: number[], numBoxes: number, attrs: RoIPoolAttrs): RoIUniformValues {
  return {
    roiXDims: xShape,
    roiPooledSize: [attrs.pooledHeight, attrs.pooledWidth],
    roiBoxCount: [numBoxes],
    roiScale: [attrs.spatialScale],
  };
}

export function alignUniforms(
    xShape: number[], numBoxes: number, attrs: RoIAlignAttrs): RoIUniformValues {
  return {
    ...poolUniforms(xShape, numBoxes, attrs),
    roiSamplingRatio: [attrs.samplingRatio],
    roiAligned: [attrs.aligned ? 1 : 0],
  };
}

/** Whether a gradient is all zeros: no boxes, no channels or an empty map. */
export function nothingToGather({dy, x}: RoIGradInputs): boolean {
  return util.sizeFromShape(dy.shape) === 0 || util.sizeFromShape(x.shape) === 0;
}

/** A float32 tensor of zeros made on the CPU side, so that no program runs. */
export function zerosInfo(backend: MathBackendWebGL, shape: number[]): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', new Float32Array(util.sizeFromShape(shape)));
}

/**
 * Runs `program` and returns its output viewed as a tensor of `outShape`
 * (whose size is the output's, or one less for an intermediate's padding).
 *
 * The program sees every input as a flat, unpacked texture. tfjs keys its
 * compiled programs by the inputs' logical shapes (size-1 dimensions,
 * broadcasting, squeezing), which would recompile for other box counts and
 * feature sizes; flat views leave only the textures' layout class in the key
 * (see outputShapeFor in roi_program.ts for the outputs').
 * An unpacked texture is row-major whatever its logical shape, so the views
 * are free, as tfjs's own reshape is. Packed inputs are unpacked first (with
 * their real shape), and inputs still on the CPU are uploaded as textures
 * rather than as uniform arrays, which the shaders do not read.
 */
export function runRoIProgram(
    backend: MathBackendWebGL, program: GPGPUProgram, inputs: TensorInfo[],
    uniforms: RoIUniformValues, outShape: number[]): TensorInfo {
  const out = runOnFlatInputs(backend, program, inputs, uniforms);
  return {dataId: out.dataId, shape: outShape, dtype: 'float32'};
}

/**
 * Runs a PackedRoIProgram (roi_program.ts) as runRoIProgram runs the others,
 * and returns its output as a packed tensor of `outShape`. The texture is
 * sized by packedTexelShape; tfjs reads a packed texture by its own record
 * of the shape, which is set here to outShape. Where tfjs unpacks every
 * output at once (WEBGL_LAZILY_UNPACK off), so does this.
 */
export function runPackedRoIProgram(
    backend: MathBackendWebGL, program: PackedRoIProgram, inputs: TensorInfo[],
    uniforms: RoIUniformValues, outShape: number[]): TensorInfo {
  const out = runOnFlatInputs(backend, program, inputs, uniforms, packedTexelShape(packedTexels(outShape)));
  backend.texData.get(out.dataId).shape = outShape;
  const packed: TensorInfo = {dataId: out.dataId, shape: outShape, dtype: 'float32'};
  if (env().getBool('WEBGL_LAZILY_UNPACK')) return packed;
  return disposeAfter(backend, packed, () => backend.unpackTensor(packed));
}

/**
 * One draw of a packed accumulation (the split dx gathers): runs `program`
 * as runPackedRoIProgram does, on `inputs` and then `previous`, the packed
 * output of the draw before (or null for the first). The program reads
 * previous's texel at its own fragment's texel (the output has the same
 * shape, so the same texture layout), four partial sums in place, so
 * previous is bound as its texture is: tfjs would unpack a packed input of
 * a program with unpacked inputs, so it is marked unpacked for this one
 * call, its texture shape left as it is (the texture manager takes it back
 * under that shape and its packing, restored before anything disposes it).
 * `last`: the output is the result (unpacked where WEBGL_LAZILY_UNPACK is
 * off, as runPackedRoIProgram's); otherwise it stays packed for the next draw.
 */
export function runPackedDraw(
    backend: MathBackendWebGL, program: PackedRoIProgram, inputs: TensorInfo[], previous: TensorInfo|null,
    uniforms: RoIUniformValues, outShape: number[], last: boolean): TensorInfo {
  const texelShape = packedTexelShape(packedTexels(outShape));
  let out: TensorInfo;
  if (previous === null) {
    out = runOnFlatInputs(backend, program, inputs, uniforms, texelShape);
  } else {
    const previousData = backend.texData.get(previous.dataId);
    previousData.isPacked = false;
    try {
      out = runOnFlatInputs(backend, program, [...inputs, previous], uniforms, texelShape);
    } finally {
      previousData.isPacked = true;
    }
  }
  backend.texData.get(out.dataId).shape = outShape;
  const packed: TensorInfo = {dataId: out.dataId, shape: outShape, dtype: 'float32'};
  if (!last || env().getBool('WEBGL_LAZILY_UNPACK')) return packed;
  return disposeAfter(backend, packed, () => backend.unpackTensor(packed));
}

/** The program's output (its own shape) on flat views of the inputs; texelShape: a packed program's. */
function runOnFlatInputs(
    backend: MathBackendWebGL, program: GPGPUProgram, inputs: TensorInfo[], uniforms: RoIUniformValues,
    texelShape?: [number, number]): TensorInfo {
  const temporaries: TensorInfo[] = [];
  // A program that reads packed inputs reads them in their own layout and shape.
  const flatInputs = program.packedInputs ? inputs : inputs.map(input => {
    backend.uploadToGPU(input.dataId);
    let source = input;
    if (backend.texData.get(input.dataId).isPacked) {
      source = backend.unpackTensor(input);
      temporaries.push(source);
    }
    return {dataId: source.dataId, shape: [util.sizeFromShape(input.shape)], dtype: input.dtype};
  });
  const values = program.customUniforms!.map(u => {
    const value = uniforms[u.name as keyof RoIUniformValues];
    if (value === undefined) throw new Error(`no value for uniform ${u.name}`);
    return value;
  });
  // A packed output stays packed: runPackedRoIProgram gives it its shape first.
  const out = backend.runWebGLProgram(program, flatInputs, 'float32', values, texelShape !== undefined, texelShape);
  for (const t of temporaries) backend.disposeIntermediateTensorInfo(t);
  return out;
}

/**
 * An output per bin, [K, outH, outW, outChannels] (C unless the op is
 * position-sensitive), from the program that makeProgram builds for that
 * shape, run on x and the box table: y of the forward kernels. A program
 * that writes tfjs's packed layout (packedOutput) runs as
 * runPackedRoIProgram runs it. Zeros, and no program, when there is nothing
 * to sample (no boxes, no channels or an empty map).
 */
export function runOnBins(
    backend: MathBackendWebGL, inputs: {x: TensorInfo, boxes: TensorInfo, boxIndices: TensorInfo},
    pooled: {pooledHeight: number, pooledWidth: number}, uniforms: RoIUniformValues,
    makeProgram: (outShape: number[]) => GPGPUProgram, outChannels = inputs.x.shape[3]): TensorInfo {
  const {x, boxes, boxIndices} = inputs;
  const outShape = [boxes.shape[0], pooled.pooledHeight, pooled.pooledWidth, outChannels];
  if (util.sizeFromShape(outShape) === 0 || util.sizeFromShape(x.shape) === 0) {
    return zerosInfo(backend, outShape);
  }
  return withBoxTable(backend, boxes, boxIndices, uniforms, table => {
    const program = makeProgram(outShape);
    return program.packedOutput ?
        runPackedRoIProgram(backend, program as PackedRoIProgram, [x, table], uniforms, outShape) :
        runRoIProgram(backend, program, [x, table], uniforms, outShape);
  });
}

/**
 * body(tensors) with every tensor in the unpacked layout, each unpacked at
 * most once for the whole call: where several programs read the same input
 * (a winner pass and a box gradient, or the draws of a split gather),
 * runRoIProgram would otherwise unpack it once per program.
 */
export function withUnpacked<T>(
    backend: MathBackendWebGL, tensors: TensorInfo[], body: (tensors: TensorInfo[]) => T): T {
  const temporaries: TensorInfo[] = [];
  try {
    const unpacked = tensors.map(t => {
      if (!backend.texData.get(t.dataId)?.isPacked) return t;
      const plain = backend.unpackTensor(t);
      temporaries.push(plain);
      return plain;
    });
    return body(unpacked);
  } finally {
    for (const t of temporaries) backend.disposeIntermediateTensorInfo(t);
  }
}

/**
 * A rank-4 tensor as a program with packed inputs reads it in place (x in
 * a packed forward, the 'max' winners in the scatter's dy shares), in
 * tfjs's packed layout, viewed as [N * H, W, C] (the same layout, and a
 * shape whose program key no K, H, W or C changes); null where it is to be
 * read unpacked. It is read in place when it is packed (a conv output is,
 * and the winner pass's output) or still on the CPU (it is then uploaded
 * packed, as for tfjs's packed ops), and is neither a slice of another
 * tensor's texture nor a map of a single row or column: those would key
 * other compiled programs (see shaders/glsl/roi_common.ts).
 */
export function packedInPlace(backend: MathBackendWebGL, x: TensorInfo): TensorInfo|null {
  const data = backend.texData.get(x.dataId);
  const [N, H, W, C] = x.shape;
  const inPlace = (data.isPacked || data.texture == null) && data.slice == null && N * H > 1 && W > 1;
  return inPlace && env().getBool('WEBGL_PACK') ? {dataId: x.dataId, shape: [N * H, W, C], dtype: x.dtype} : null;
}

/**
 * body(view of `table`) for a program with packed inputs: tfjs would pack
 * an unpacked input of such a program, so the table (an unpacked
 * intermediate, which the shader reads flat, texel by texel) is marked
 * packed for this one call, its texture and shape left as they are, and
 * marked back before anything disposes it (the texture manager takes it
 * back under its own packing).
 */
export function withTableBoundAsItIs(
    backend: MathBackendWebGL, table: TensorInfo, body: (table: TensorInfo) => TensorInfo): TensorInfo {
  const data = backend.texData.get(table.dataId);
  // As it was, not false: the texture manager's key spells it out (undefined on a program's output).
  const wasPacked = data.isPacked;
  data.isPacked = true;
  try {
    // Its recorded shape, so that tfjs sees no reshape to make.
    return body({dataId: table.dataId, shape: data.shape, dtype: table.dtype});
  } finally {
    data.isPacked = wasPacked;
  }
}

/** body(temporary), then disposes the temporary. */
export function disposeAfter(
    backend: MathBackendWebGL, temporary: TensorInfo,
    body: (temporary: TensorInfo) => TensorInfo): TensorInfo {
  try {
    return body(temporary);
  } finally {
    backend.disposeIntermediateTensorInfo(temporary);
  }
}

/**
 * Runs `body` with the box table of boxes and boxIndices (see BOX_GLSL in
 * shaders/glsl/roi_common.ts), and disposes the table afterwards.
 */
export function withBoxTable(
    backend: MathBackendWebGL, boxes: TensorInfo, boxIndices: TensorInfo,
    uniforms: RoIUniformValues, body: (table: TensorInfo) => TensorInfo): TensorInfo {
  // Boxes of other than 4 coordinates (rotated ones) get a table of their own width.
  const coordinates = boxes.shape[1];
  const program = new RoIBoxTableProgram(boxes.shape[0], coordinates);
  return disposeAfter(
      backend,
      runRoIProgram(backend, program, [boxes, boxIndices], uniforms, [boxes.shape[0], coordinates + 1]),
      body);
}

/** RoIAlign's uniform values for a rotated call, and the angle's unit and direction. */
export function rotatedUniforms(
    xShape: number[], numBoxes: number, attrs: RoIAlignRotatedAttrs): RoIUniformValues {
  return {
    ...poolUniforms(xShape, numBoxes, attrs),
    roiSamplingRatio: [attrs.samplingRatio],
    roiAligned: [1],
    roiRadiansPerAngle: [radiansPerAngle(attrs.angleUnit, attrs.clockwise)],
  };
}

/**
 * `winners` (float texels holding integers) as an int32 tensor: tfjs's webgl
 * backend holds every int32 tensor as floats, and the dtype decides how a
 * read converts them.
 */
export function asInt32(backend: MathBackendWebGL, winners: TensorInfo): TensorInfo {
  backend.texData.get(winners.dataId).dtype = 'int32';
  return {...winners, dtype: 'int32'};
}
