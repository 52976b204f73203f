import type {DataType, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {GATHER_UNIFORMS, TILE_CULL_WGSL, TileLayout, tileLayout} from '../../shaders/wgsl/gather';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {ProgramUniforms, releasing, RoIGeometryAttrs, RoIProgram, RoITensors, runOnRoITensors} from './roi_webgpu_util';

/** tileBoxes [N, tilesY, tilesX, maskWords] int32 from reach: see shaders/wgsl/gather.ts. */
export class RoITileCullProgram extends RoIProgram {
  shaderKey = 'roiTileCull';
  variableNames = ['reach'];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;

  constructor(batchSize: number, layout: TileLayout) {
    super([batchSize * layout.tilesY * layout.tilesX * layout.maskWords]);
  }

  getUserCode(): string {
    return TILE_CULL_WGSL;
  }
}

/** Values for GATHER_UNIFORMS, in its order. */
function gatherUniforms(layout: TileLayout): ProgramUniforms {
  return [layout.tileSide, layout.tilesY, layout.tilesX, layout.maskWords].map(v => ({type: 'int32', data: [v]}));
}

/**
 * dx by a gather program (whose uniforms are its geometry's, then
 * GATHER_UNIFORMS): the reach pass, the cull pass, then the gather, which
 * reads both. moreUniforms are the geometry's beyond ROI_UNIFORMS (the
 * rotated ops'); `temporaries` (a winner tensor) are released with the
 * passes' outputs, even if a pass throws.
 */
export function runGather(
    backend: WebGPUBackend, kernelName: string, reachProgram: RoIProgram, gather: RoIProgram, tensors: RoITensors,
    attrs: RoIGeometryAttrs, moreUniforms: ProgramUniforms = [], temporaries: Array<TensorInfo|null> = [],
    dtype: DataType = 'float32'): TensorInfo {
  return releasing(backend, temporaries, () => {
    const layout = tileLayout(tensors.x.shape, tensors.boxes.shape[0]);
    const reach = runOnRoITensors(backend, kernelName, reachProgram, tensors, attrs, 'int32', moreUniforms);
    return releasing(backend, [reach], () => {
      const cull = new RoITileCullProgram(tensors.x.shape[0], layout);
      const tileBoxes =
          runOnRoITensors(backend, kernelName, cull, {...tensors, reach}, attrs, 'int32', gatherUniforms(layout));
      return releasing(
          backend, [tileBoxes],
          () => runOnRoITensors(
              backend, kernelName, gather, {...tensors, reach, tileBoxes}, attrs, dtype,
              [...moreUniforms, ...gatherUniforms(layout)]));
    });
  });
}
