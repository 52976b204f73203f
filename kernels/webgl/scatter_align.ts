/**
 * RoIAlign's dx as a scatter (shaders/glsl/roi_scatter.ts): quads per
 * sample blended into a float target, then one copy into dx's layout.
 * O(K · bins · samples · 4 · C) fragments plus O(N·H·W·C) for the clear and
 * the copy, where the gather walks the boxes of every pixel's tile.
 */
import {env, util} from '@tensorflow/tfjs-core';
import type {TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {ROI_POOL_UNIFORMS, ROI_ALIGN_UNIFORMS} from '../../shaders/glsl/roi_common';
import {alignScatterSamplers, roiAlignScatterFragmentShader, roiAlignScatterVertexShader, ROI_SCATTER_UNIFORMS, ROI_UNSCATTER_UNIFORMS, roiUnscatterShader} from '../../shaders/glsl/roi_scatter';
import type {RoIAlignMode} from '../../src/kernel_names';
import {RoIProgram} from './roi_program';
import {disposeAfter, RoIUniformValues, runRoIProgram, withUnpacked} from './run_roi_program';
import {drawScatter, scatterAvailable} from './scatter_gl';

/** dx [N, H, W, C] from the scatter's target (roiUnscatterShader). */
export class RoIUnscatterProgram extends RoIProgram {
  constructor(outputSize: number) {
    super(['roiScatter'], roiUnscatterShader(), [...ROI_POOL_UNIFORMS, ...ROI_UNSCATTER_UNIFORMS], 'result', outputSize);
  }
}

/**
 * The target's layout: channels per slab, so that a row of W pixels fits
 * the texture size limit, and its [rows, columns]; null where it cannot
 * fit, or would be a single row or column (which tfjs lays out otherwise).
 */
function scatterLayout(xShape: number[]): {slabChannels: number, slabs: number, rows: number, columns: number}|null {
  const [n, h, w, c] = xShape;
  const maxSide = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  const widest = Math.min(c, Math.floor(maxSide / w));
  if (widest < 1) return null;
  // Slabs of equal width: a quad covers its slab's full width, used or not.
  const slabs = Math.ceil(c / widest);
  const slabChannels = Math.ceil(c / slabs);
  const rows = slabs * n * h, columns = w * slabChannels;
  if (rows > maxSide || rows < 2 || columns < 2) return null;
  return {slabChannels, slabs, rows, columns};
}

/**
 * dx by the scatter, or null where it cannot run (see scatterAvailable;
 * an adaptive grid, samplingRatio <= 0, whose samples per bin depend on
 * the box; a target that does not fit): then the caller gathers. inputs:
 * [dy, winners ('max'), table], as withAlignGradientInputs gives them
 * without x.
 */
export function runAlignScatter(
    backend: MathBackendWebGL, mode: RoIAlignMode, inputs: TensorInfo[], uniforms: RoIUniformValues,
    xShape: number[]): TensorInfo|null {
  const ratio = uniforms.roiSamplingRatio![0];
  if (ratio <= 0 || !scatterAvailable(backend)) return null;
  const layout = scatterLayout(xShape);
  if (layout === null) return null;
  const [outH, outW] = uniforms.roiPooledSize;
  const quads = uniforms.roiBoxCount[0] * outH * outW * ratio * ratio * layout.slabs;
  // The quad index is an int in the shader.
  if (quads >= 2 ** 31) return null;
  const table = inputs[inputs.length - 1];
  return withUnpacked(backend, inputs.slice(0, -1), unpacked => {
    for (const t of [...unpacked, table]) backend.uploadToGPU(t.dataId);
    const names = alignScatterSamplers(mode);
    const scatterInto = (target: TensorInfo) => drawScatter(backend, target, {
        vertexShader: roiAlignScatterVertexShader(),
        fragmentShader: roiAlignScatterFragmentShader(mode),
        samplers: [['roiBoxTable', table], ...names.map((name, i) => [name, unpacked[i]] as [string, TensorInfo])],
        uniforms: [...ROI_ALIGN_UNIFORMS, ...ROI_SCATTER_UNIFORMS],
        values: {
          ...uniforms,
          roiSlabChannels: [layout.slabChannels],
          roiSlabs: [layout.slabs],
          roiTargetSize: [layout.columns, layout.rows],
        } as unknown as Record<string, number[]>,
        quads,
      });
    // Where tfjs lays dx out as the target, [H, W·C] in one slab (one image of more than
    // WEBGL_MAX_TEXTURE_SIZE pixels, as detector maps are), scatter into dx itself: no copy.
    if (layout.slabs === 1) {
      const dx = backend.makeTensorInfo(xShape, 'float32');
      backend.uploadToGPU(dx.dataId);
      const [rows, columns] = backend.texData.get(dx.dataId).texShape!;
      if (rows === layout.rows && columns === layout.columns) {
        try {
          scatterInto(dx);
        } catch (e) {
          backend.disposeIntermediateTensorInfo(dx);
          throw e;
        }
        return dx;
      }
      backend.disposeIntermediateTensorInfo(dx);
    }
    const target = backend.makeTensorInfo([layout.rows, layout.columns], 'float32');
    backend.uploadToGPU(target.dataId);
    return disposeAfter(backend, target, () => {
      scatterInto(target);
      const copyUniforms = {...uniforms, roiSlabChannels: [layout.slabChannels]} as RoIUniformValues;
      return runRoIProgram(
          backend, new RoIUnscatterProgram(util.sizeFromShape(xShape)), [target], copyUniforms, xShape);
    });
  });
}
