/**
 * RoIAlign's dx as a scatter (shaders/glsl/roi_scatter.ts): dy's shares
 * four channels to a texel, then a point per sample blended into an RGBA
 * float target, four channels per fragment, then one copy into dx in
 * tfjs's packed layout. O(K · bins · samples · 4 ·
 * ⌈C/4⌉) fragments plus O(N·H·W·C/4) for the clear and the copy, where the
 * gather walks the boxes of every pixel's tile.
 */
import {env, util} from '@tensorflow/tfjs-core';
import type {TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {ROI_POOL_UNIFORMS, ROI_ALIGN_UNIFORMS} from '../../shaders/glsl/roi_common';
import {roiAlignScatterFragmentShader, roiAlignScatterVertexShader, ROI_SCATTER_UNIFORMS, roiScatterSharesShader, ROI_UNSCATTER_UNIFORMS, roiUnscatterShader} from '../../shaders/glsl/roi_scatter';
import type {RoIAlignMode} from '../../src/kernel_names';
import {PackedRoIProgram, packedTexels} from './roi_program';
import {RoIAlignSampleTableProgram} from './roi_align_gpu';
import {disposeAfter, packedInPlace, RoIUniformValues, runPackedDraw, runPackedRoIProgram, runRoIProgram, textureFits, withTableBoundAsItIs, withUnpacked} from './run_roi_program';
import {drawScatter, scatterAvailable} from './scatter_gl';

/**
 * The dy shares the scatter's fragments read (roiScatterSharesShader), an
 * RGBA intermediate of `texels` texels; inputs [dy, winners ('max')].
 * winnersInPlace: the winners bound in tfjs's packed layout (packedInPlace)
 * and dy bound flat as it is (withTableBoundAsItIs), so packedInputs.
 */
export class RoIScatterSharesProgram extends PackedRoIProgram {
  constructor(texels: number, mode: RoIAlignMode, winnersInPlace = false) {
    super(
        mode === 'max' ? ['roiDy', 'roiWinners'] : ['roiDy'], roiScatterSharesShader(mode, winnersInPlace),
        ROI_ALIGN_UNIFORMS, texels);
    this.packedInputs = winnersInPlace;
  }
}

/**
 * The dy shares, [2 * texels, 2] in tfjs's packed layout (an intermediate).
 * 'max' reads the winners where they lie when they are packed, as the
 * winner pass leaves them (else each call would unpack them first).
 */
function runScatterShares(
    backend: MathBackendWebGL, mode: RoIAlignMode, dy: TensorInfo, winners: TensorInfo|undefined, texels: number,
    uniforms: RoIUniformValues): TensorInfo {
  const winnersView = winners === undefined ? null : packedInPlace(backend, winners);
  // dy is then bound flat as it is, which a slice of another tensor's texture (an offset) is not.
  const inPlace = winnersView !== null && backend.texData.get(winners!.dataId).isPacked &&
      backend.texData.get(dy.dataId).slice == null;
  if (!inPlace) {
    return runPackedDraw(
        backend, new RoIScatterSharesProgram(texels, mode), winners === undefined ? [dy] : [dy, winners], null,
        uniforms, [2 * texels, 2], false);
  }
  return withUnpacked(backend, [dy], ([flatDy]) => {
    backend.uploadToGPU(flatDy.dataId);
    return withTableBoundAsItIs(
        backend, flatDy,
        boundDy => runPackedDraw(
            backend, new RoIScatterSharesProgram(texels, mode, true), [boundDy, winnersView!], null, uniforms,
            [2 * texels, 2], false));
  });
}

/**
 * dx [N, H, W, C] in tfjs's packed layout from the scatter's target
 * (roiUnscatterShader), which it reads as it is (packedInputs: tfjs leaves
 * the RGBA target alone).
 */
export class RoIUnscatterProgram extends PackedRoIProgram {
  constructor(texels: number) {
    super(['roiScatter'], roiUnscatterShader(), [...ROI_POOL_UNIFORMS, ...ROI_UNSCATTER_UNIFORMS], texels);
    this.packedInputs = true;
  }
}

/**
 * The target's layout (see shaders/glsl/roi_scatter.ts): texels (four
 * channels each) per pixel of a slab, the side of a pixel's tile of them,
 * the slabs, so that a row of W tiles fits the texture size limit and a
 * point of two tiles a side the point size limit, and its [rows, columns]
 * of texels; null where it cannot fit.
 */
function scatterLayout(xShape: number[], maxPointSize: number):
    {slabQuads: number, tileSide: number, slabs: number, rows: number, columns: number}|null {
  const [n, h, w, c] = xShape;
  const maxSide = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  const quads = Math.ceil(c / 4);
  const widest = Math.min(Math.ceil(Math.sqrt(quads)), Math.floor(maxSide / w), Math.floor(maxPointSize / 2));
  if (widest < 1) return null;
  // Slabs of equal size: a point covers its tiles whole, used or not.
  const slabs = Math.ceil(quads / (widest * widest));
  const slabQuads = Math.ceil(quads / slabs);
  const tileSide = Math.ceil(Math.sqrt(slabQuads));
  const rows = slabs * n * h * tileSide, columns = w * tileSide;
  if (rows > maxSide) return null;
  return {slabQuads, tileSide, slabs, rows, columns};
}

/**
 * An RGBA float32 texture of [rows, columns] texels on the GPU, as a packed
 * [2 rows, 2 columns] tensor (tfjs gives packed tensors RGBA textures), or
 * null where tfjs would lay it out otherwise.
 */
function rgbaTarget(backend: MathBackendWebGL, rows: number, columns: number): TensorInfo|null {
  const target = backend.makeTensorInfo([2 * rows, 2 * columns], 'float32');
  const data = backend.texData.get(target.dataId);
  data.isPacked = true;
  backend.uploadToGPU(target.dataId);
  const [elementRows, elementColumns] = data.texShape!;
  if (elementRows === 2 * rows && elementColumns === 2 * columns) return target;
  backend.disposeIntermediateTensorInfo(target);
  return null;
}

/**
 * dx by the scatter, or null where it cannot run (see scatterAvailable;
 * an adaptive grid, samplingRatio <= 0, whose samples per bin depend on
 * the box; a target, shares or sample table that does not fit): then the
 * caller gathers. inputs: [dy, winners ('max'), table], as
 * withAlignGradientInputs gives them without x.
 */
export function runAlignScatter(
    backend: MathBackendWebGL, mode: RoIAlignMode, inputs: TensorInfo[], uniforms: RoIUniformValues,
    xShape: number[]): TensorInfo|null {
  const ratio = uniforms.roiSamplingRatio![0];
  if (ratio <= 0 || !scatterAvailable(backend)) return null;
  const gl = backend.gpgpu.gl;
  const layout = scatterLayout(xShape, (gl.getParameter(gl.ALIASED_POINT_SIZE_RANGE) as Float32Array)[1]);
  if (layout === null) return null;
  const [outH, outW] = uniforms.roiPooledSize;
  const points = uniforms.roiBoxCount[0] * outH * outW * ratio * ratio * layout.slabs;
  // The point index is an int in the shader.
  if (points >= 2 ** 31) return null;
  // One texel of four channels per bin, two in 'max' (dy's and the winners').
  const sharesTexels = uniforms.roiBoxCount[0] * outH * outW * Math.ceil(xShape[3] / 4) * (mode === 'max' ? 2 : 1);
  const [numBoxes] = uniforms.roiBoxCount;
  const sampleTableShape = [numBoxes, (outH + outW) * ratio, 2];
  // Checked before the target is allocated: tfjs would throw mid-call.
  if (!textureFits([sharesTexels]) || !textureFits(sampleTableShape)) return null;
  const table = inputs[inputs.length - 1];
  const target = rgbaTarget(backend, layout.rows, layout.columns);
  if (target === null) return null;
  return disposeAfter(backend, target, () => {
    const samples = runRoIProgram(
        backend, new RoIAlignSampleTableProgram(util.sizeFromShape(sampleTableShape)), [table], uniforms,
        sampleTableShape);
    return disposeAfter(backend, samples, () => {
      // [2 * texels, 2] is that many texels in tfjs's packed layout; it stays packed (an intermediate).
      const shares =
          runScatterShares(backend, mode, inputs[0], mode === 'max' ? inputs[1] : undefined, sharesTexels, uniforms);
      return disposeAfter(backend, shares, () => {
        for (const t of [table, samples, shares]) backend.uploadToGPU(t.dataId);
        drawScatter(backend, target, {
          vertexShader: roiAlignScatterVertexShader(),
          fragmentShader: roiAlignScatterFragmentShader(mode),
          samplers: [['roiBoxTable', table], ['roiSampleTable', samples], ['roiDyShares', shares]],
          uniforms: [...ROI_ALIGN_UNIFORMS, ...ROI_SCATTER_UNIFORMS],
          values: {
            ...uniforms,
            roiSlabQuads: [layout.slabQuads],
            roiSlabs: [layout.slabs],
            roiTileSide: [layout.tileSide],
            roiTargetSize: [layout.columns, layout.rows],
          } as unknown as Record<string, number[]>,
          points,
        });
        const copyUniforms = {...uniforms, roiSlabQuads: [layout.slabQuads], roiTileSide: [layout.tileSide]} as RoIUniformValues;
        return runPackedRoIProgram(
            backend, new RoIUnscatterProgram(packedTexels(xShape)), [target], copyUniforms, xShape);
      });
    });
  });
}
