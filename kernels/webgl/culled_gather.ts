/**
 * The dx gathers over culled boxes: a cull pass marks, per tile of pixels,
 * the boxes that can reach it (shaders/glsl/roi_cull.ts), then the gather
 * program visits only those, in box order. A gather over many boxes is
 * split into draws of at most BOX_WORDS_PER_DRAW words of the mask, each
 * adding to the previous draw's partial dx, so no fragment loops over more
 * than 1024 boxes in one draw (a long draw can trip the OS GPU watchdog).
 * A draw still covers the whole map: tfjs runs a program over its whole
 * output. dx is written in tfjs's packed layout, one fragment per two
 * columns and two channels of a pixel row (culledGatherMain), so each draw
 * reads the partial dx of the one before in place (runPackedDraw).
 */
import {env} from '@tensorflow/tfjs-core';
import type {TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {REACH_RANGE_GLSL, ROI_ALIGN_TOUCH_GLSL, ROI_BOXES_PER_WORD, ROI_CULL_UNIFORMS, roiCullShader, ROI_TILE, ROI_TOUCH_WORDS_GLSL} from '../../shaders/glsl/roi_cull';
import {ROI_ALIGN_GEOMETRY_GLSL, ROI_ALIGN_REACH_GLSL, ROI_ALIGN_ROTATED_GEOMETRY_GLSL, ROI_ALIGN_ROTATED_REACH_GLSL} from '../../shaders/glsl/roi_align_geometry';
import {ROI_ALIGN_ROTATED_UNIFORMS} from '../../shaders/glsl/roi_align_rotated';
import {BOX_GLSL, CustomUniforms, EXACT_ARITHMETIC_GLSL, flatReader, OUTPUT_INDEX_GLSL, ROI_ALIGN_UNIFORMS, ROI_POOL_UNIFORMS} from '../../shaders/glsl/roi_common';
import {ROI_POOL_REACH_GLSL} from '../../shaders/glsl/roi_pool_geometry';
import {requireTexturesFit, RoIUniformValues, runPackedDraw, runRoIProgram, withUnpacked} from './run_roi_program';
import {PackedRoIProgram, RoIProgram} from './roi_program';

/** Mask words (16 boxes each) per gather draw: 1024 boxes. */
export const BOX_WORDS_PER_DRAW = 64;

/** Which geometry decides a box's reach: RoIAlign's (and psRoiAlign's), RoIPool's (and psRoiPool's), or rotated. */
export type ReachFamily = 'align'|'pool'|'rotated';

const REACH: Record<ReachFamily, {glsl: string[], uniforms: CustomUniforms}> = {
  align: {glsl: [BOX_GLSL, ROI_ALIGN_REACH_GLSL], uniforms: ROI_ALIGN_UNIFORMS},
  pool: {glsl: [BOX_GLSL, EXACT_ARITHMETIC_GLSL, ROI_POOL_REACH_GLSL], uniforms: ROI_POOL_UNIFORMS},
  rotated: {
    glsl: [EXACT_ARITHMETIC_GLSL, ROI_ALIGN_GEOMETRY_GLSL, ROI_ALIGN_ROTATED_GEOMETRY_GLSL, ROI_ALIGN_ROTATED_REACH_GLSL],
    uniforms: ROI_ALIGN_ROTATED_UNIFORMS,
  },
};

/**
 * The cull mask [N * tilesH * tilesW, words], an intermediate. `reachGlsl`
 * defines roiBoxReach and roiBoxImage over the box table (roiBoxTable);
 * `uniforms` are those it reads. Another kernel with a gather over boxes can
 * build one with its own reach.
 */
export class RoICullProgram extends RoIProgram {
  constructor(outputSize: number, reachGlsl: string, uniforms: CustomUniforms) {
    super(
        ['roiBoxTable'], roiCullShader(['roiBoxTable'], `${REACH_RANGE_GLSL}\n${reachGlsl}`),
        [...uniforms, ...ROI_CULL_UNIFORMS], 'intermediate', outputSize);
  }
}

/**
 * The touch table [N * tilesH * tilesW, K] of RoIAlign's sampling (see
 * ROI_ALIGN_TOUCH_GLSL), an intermediate.
 */
export class RoIAlignTouchProgram extends RoIProgram {
  constructor(outputSize: number) {
    super(
        ['roiBoxTable'],
        [flatReader('roiBoxTable'), OUTPUT_INDEX_GLSL, BOX_GLSL, EXACT_ARITHMETIC_GLSL, ROI_ALIGN_GEOMETRY_GLSL,
         ROI_ALIGN_TOUCH_GLSL].join('\n'),
        [...ROI_ALIGN_UNIFORMS, ...ROI_CULL_UNIFORMS], 'intermediate', outputSize);
  }
}

/** The cull mask from the touch table (ROI_TOUCH_WORDS_GLSL), an intermediate. */
export class RoITouchWordsProgram extends RoIProgram {
  constructor(outputSize: number) {
    super(
        ['roiTouch'], [flatReader('roiTouch'), OUTPUT_INDEX_GLSL, ROI_TOUCH_WORDS_GLSL].join('\n'),
        [...ROI_POOL_UNIFORMS, ...ROI_CULL_UNIFORMS], 'intermediate', outputSize);
  }
}

/**
 * dx [N, H, W, C], packed: the cull pass over the box table, then the gather of
 * makeProgram(accumulate, touch) on [...inputs, mask, touch table (touch),
 * the previous partial dx (accumulate)], in draws of BOX_WORDS_PER_DRAW
 * mask words. The 'align' family culls with the touch table, exact to the
 * pixel row and column, where it fits in a texture; the others (and 'align'
 * past that) with their boxes' reach. uniforms: the gather's (its op's),
 * without the cull's. A mask that no texture holds is refused with an Error
 * naming kernelName, before the cull allocates anything.
 */
export function runCulledGather(
    backend: MathBackendWebGL, kernelName: string, family: ReachFamily, table: TensorInfo, uniforms: RoIUniformValues,
    xShape: number[], makeProgram: (accumulate: boolean, touch: boolean) => PackedRoIProgram,
    inputs: TensorInfo[]): TensorInfo {
  const numBoxes = uniforms.roiBoxCount[0];
  const words = Math.ceil(numBoxes / ROI_BOXES_PER_WORD);
  const [n, h, w] = xShape;
  const tiles = n * Math.ceil(h / ROI_TILE) * Math.ceil(w / ROI_TILE);
  // At least 2: tfjs keys a program by whether an input is a single element.
  const maskSize = Math.max(tiles * words, 2);
  const touchSize = Math.max(tiles * numBoxes, 2);
  requireTexturesFit(kernelName, {'cull mask': [tiles, words]});
  const cullUniforms = {...uniforms, roiCullWords: [words], roiWordRange: [0, words]};
  const touch = family === 'align' &&
      Math.ceil(Math.sqrt(touchSize)) <= env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  const culling: TensorInfo[] = [];
  try {
    if (touch) {
      const touchTable = runRoIProgram(backend, new RoIAlignTouchProgram(touchSize), [table], cullUniforms, [touchSize]);
      culling.push(touchTable);
      culling.unshift(runRoIProgram(backend, new RoITouchWordsProgram(maskSize), [touchTable], cullUniforms, [maskSize]));
    } else {
      const reach = REACH[family];
      const cull = new RoICullProgram(maskSize, reach.glsl.join('\n'), reach.uniforms);
      culling.push(runRoIProgram(backend, cull, [table], cullUniforms, [maskSize]));
    }
    // Every draw reads the inputs: unpack them once.
    return withUnpacked(backend, inputs, unpacked => {
      let dx: TensorInfo|null = null;
      try {
        for (let first = 0; first < words; first += BOX_WORDS_PER_DRAW) {
          const drawUniforms = {...cullUniforms, roiWordRange: [first, Math.min(words, first + BOX_WORDS_PER_DRAW)]};
          const last = first + BOX_WORDS_PER_DRAW >= words;
          const next = runPackedDraw(
              backend, makeProgram(dx !== null, touch), [...unpacked, ...culling], dx, drawUniforms, xShape, last);
          if (dx !== null) backend.disposeIntermediateTensorInfo(dx);
          dx = next;
        }
      } catch (e) {
        if (dx !== null) backend.disposeIntermediateTensorInfo(dx);
        throw e;
      }
      // K >= 1 (callers return zeros first otherwise), so at least one draw ran.
      return dx as TensorInfo;
    });
  } finally {
    for (const t of culling) backend.disposeIntermediateTensorInfo(t);
  }
}
