/**
 * RoIAlign's dx as a scatter (shaders/glsl/roi_scatter.ts): quads per
 * sample blended into an RGBA32F target, four channels a fragment, then
 * one copy into dx's layout.
 * O(K · bins · samples · 4 · C / 4) fragments plus O(N·H·W·C) for the clear and
 * the copy, where the gather walks the boxes of every pixel's tile.
 */
import {env} from '@tensorflow/tfjs-core';
import type {TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {ROI_ALIGN_UNIFORMS} from '../../shaders/glsl/roi_common';
import {alignScatterSamplers, roiAlignScatterFragmentShader, roiAlignScatterVertexShader, roiFullTargetVertexShader, ROI_SCATTER_UNIFORMS, ROI_UNSCATTER_UNIFORMS, roiUnscatterShader} from '../../shaders/glsl/roi_scatter';
import type {RoIAlignMode} from '../../src/kernel_names';
import {disposeAfter, RoIUniformValues, withUnpacked} from './run_roi_program';
import {drawPasses, scatterAvailable} from './scatter_gl';

/**
 * The target's layout: texels (four channels each) per pixel in a slab,
 * so that a row of W pixels fits the texture size limit, and its size;
 * null where it cannot fit.
 */
function scatterLayout(xShape: number[]): {slabTexels: number, slabs: number, width: number, height: number}|null {
  const [n, h, w, c] = xShape;
  const maxSide = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  const texels = Math.ceil(c / 4);
  const widest = Math.min(texels, Math.floor(maxSide / w));
  if (widest < 1) return null;
  // Slabs of equal width: a quad covers its slab's full width, used or not.
  const slabs = Math.ceil(texels / widest);
  const slabTexels = Math.ceil(texels / slabs);
  const height = slabs * n * h;
  if (height > maxSide) return null;
  return {slabTexels, slabs, width: w * slabTexels, height};
}

/**
 * A float32 tensor on the GPU whose texture is RGBA32F of width x height
 * texels: tfjs's packed layout gives one, from its texture pool, for a
 * [2 height, 2 width] tensor. Only the scatter reads and writes it, in its
 * own layout.
 */
function rgbaTarget(backend: MathBackendWebGL, width: number, height: number): TensorInfo {
  const shape = [2 * height, 2 * width];
  const target = backend.makeTensorInfo(shape, 'float32');
  const data = backend.texData.get(target.dataId);
  data.isPacked = true;
  data.texShape = shape as [number, number];
  backend.uploadToGPU(target.dataId);
  return target;
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
  // Vertex indices (6 a quad) are ints in the shader.
  if (6 * quads >= 2 ** 31) return null;
  const table = inputs[inputs.length - 1];
  return withUnpacked(backend, inputs.slice(0, -1), unpacked => {
    for (const t of [...unpacked, table]) backend.uploadToGPU(t.dataId);
    const target = rgbaTarget(backend, layout.width, layout.height);
    return disposeAfter(backend, target, () => {
      const dx = backend.makeTensorInfo(xShape, 'float32');
      try {
        backend.uploadToGPU(dx.dataId);
        const [rows, columns] = backend.texData.get(dx.dataId).texShape!;
        const names = alignScatterSamplers(mode);
        drawPasses(backend, [{
          vertexShader: roiAlignScatterVertexShader(),
          fragmentShader: roiAlignScatterFragmentShader(mode),
          samplers: [['roiBoxTable', table], ...names.map((name, i) => [name, unpacked[i]] as [string, TensorInfo])],
          uniforms: [...ROI_ALIGN_UNIFORMS, ...ROI_SCATTER_UNIFORMS],
          values: {
            ...uniforms,
            roiSlabTexels: [layout.slabTexels],
            roiSlabs: [layout.slabs],
            roiTargetSize: [layout.width, layout.height],
          } as unknown as Record<string, number[]>,
          target: {tensor: target, width: layout.width, height: layout.height},
          blend: true,
          quads,
        }, {
          vertexShader: roiFullTargetVertexShader(),
          fragmentShader: roiUnscatterShader(),
          samplers: [['roiScatter', target]],
          uniforms: ROI_UNSCATTER_UNIFORMS,
          values: {roiXDims: xShape, roiSlabTexels: [layout.slabTexels], outTexShape: [rows, columns]},
          target: {tensor: dx, width: columns, height: rows},
          blend: false,
          quads: 1,
        }]);
      } catch (e) {
        backend.disposeIntermediateTensorInfo(dx);
        throw e;
      }
      return dx;
    });
  });
}
