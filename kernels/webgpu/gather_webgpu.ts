import {env} from '@tensorflow/tfjs-core';
import type {DataType, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {GATHER_UNIFORMS, GatherLayout, gatherLayout, TileLayout, tileCullWgsl, tileLayout, tileMaskWords, withLineMasks} from '../../shaders/wgsl/gather';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {ProgramUniforms, releasing, RoIGeometryAttrs, RoIProgram, RoITensors, runOnRoITensors} from './roi_webgpu_util';

/**
 * tf.env() flag choosing how every dx gather (RoIAlign's, RoIPool's, the
 * position-sensitive and the rotated) spreads channels over invocations:
 * 'lanes' (adjacent invocations on adjacent groups of 4 channels, whose dy
 * loads and dx stores coalesce on a GPU), 'block' (an invocation sums a
 * block of 16 or 32 channels of one pixel), or 'auto' (the default):
 * 'block' on a software adapter that runs compute on the CPU (SwiftShader,
 * llvmpipe), where the lanes' repeated per-pixel geometry costs in
 * proportion to C / 4; 'lanes' elsewhere. The suite runs both.
 */
export const WEBGPU_DX_LANES_FLAG = 'ROI_WEBGPU_DX_LANES';
env().registerFlag(WEBGPU_DX_LANES_FLAG, () => 'auto');

/** Whether the dx gathers on `backend` take the lanes layout (WEBGPU_DX_LANES_FLAG). */
export function dxLanes(backend: WebGPUBackend): boolean {
  const choice = env().getString(WEBGPU_DX_LANES_FLAG);
  if (choice === 'lanes' || choice === 'block') return choice === 'lanes';
  if (choice !== 'auto') throw new Error(`${WEBGPU_DX_LANES_FLAG} is 'auto', 'lanes' or 'block', not '${choice}'`);
  // tfjs keeps the adapter's vendor and architecture (GPUAdapterInfo), not
  // the adapter (and its isFallbackAdapter); they are private in its types.
  const info = backend.adapterInfo as unknown as {vendor?: string, architecture?: string} | undefined;
  const names = `${info?.vendor ?? ''} ${info?.architecture ?? ''}`.toLowerCase();
  return !/swiftshader|llvmpipe|lavapipe/.test(names);
}

/** The layout of a dx gather (not RoIAlign's) into dx of shape xShape on `backend`. */
export function dxGatherLayout(backend: WebGPUBackend, xShape: number[]): GatherLayout {
  return gatherLayout(xShape[3], dxLanes(backend));
}

/**
 * A gather program's vec4 bindings in layout 'lanes4': the inputs named in
 * `vec4Inputs`, and dx; none in the other layouts.
 */
export function gatherBindings(variableNames: string[], vec4Inputs: string[], layout: GatherLayout):
    {variableComponents?: number[], outputComponent?: number} {
  if (layout !== 'lanes4') return {};
  return {variableComponents: variableNames.map(name => (vec4Inputs.includes(name) ? 4 : 1)), outputComponent: 4};
}

/**
 * tileBoxes [N, tilesY, tilesX, maskWords] int32 from reach, and with
 * `lines` from RoIAlign's line masks too ([N, tilesY, tilesX,
 * LINE_TILE_MASKS, maskWords]): see shaders/wgsl/gather.ts. One invocation
 * per tile and word of boxes.
 */
export class RoITileCullProgram extends RoIProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;

  constructor(batchSize: number, layout: TileLayout, private readonly lines = false) {
    super([tileMaskWords(batchSize, layout)], batchSize * layout.tilesY * layout.tilesX * layout.maskWords);
    this.shaderKey = lines ? 'roiTileCull_lines' : 'roiTileCull';
    this.variableNames = lines ? ['reach', 'tileLines'] : ['reach'];
  }

  getUserCode(): string {
    return tileCullWgsl(this.lines);
  }
}

/** Values for GATHER_UNIFORMS, in its order. */
function gatherUniforms(layout: TileLayout): ProgramUniforms {
  return [layout.tileSide, layout.tilesY, layout.tilesX, layout.maskWords, layout.lineMasks ? (layout.lineTable ? 2 : 1) : 0].map(
      v => ({type: 'int32', data: [v]}));
}

/**
 * dx by a gather program (whose uniforms are its geometry's, then
 * GATHER_UNIFORMS): the reach pass, the cull pass, then the gather, which
 * reads both. moreUniforms are the geometry's beyond ROI_UNIFORMS (the
 * rotated ops'); `temporaries` (a winner tensor) are released with the
 * passes' outputs, even if a pass throws. `linePass` (RoIAlign's) makes
 * the pass of line masks that the cull pass and the gather then read
 * (tileLines): where the masks would not fit (withLineMasks), one zero word
 * stands in and uniforms.lineMasks tells the shaders to ignore it.
 */
export function runGather(
    backend: WebGPUBackend, kernelName: string, reachProgram: RoIProgram, gather: RoIProgram, tensors: RoITensors,
    attrs: RoIGeometryAttrs, moreUniforms: ProgramUniforms = [], temporaries: Array<TensorInfo|null> = [],
    dtype: DataType = 'float32', linePass: ((layout: TileLayout) => RoIProgram)|null = null): TensorInfo {
  return releasing(backend, temporaries, () => {
    const numBoxes = tensors.boxes.shape[0];
    const limits = backend.device.limits;
    const maxWords = Math.floor(Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / 4);
    const plain = tileLayout(tensors.x.shape, numBoxes);
    const layout = linePass === null ? plain : withLineMasks(tensors.x.shape[0], numBoxes, plain, maxWords);
    const reach = runOnRoITensors(backend, kernelName, reachProgram, tensors, attrs, 'int32', moreUniforms);
    const uniforms = gatherUniforms(layout);
    let tileLines: TensorInfo|null = null;
    if (linePass !== null) {
      tileLines = layout.lineMasks ?
          runOnRoITensors(backend, kernelName, linePass(layout), {...tensors, reach}, attrs, 'int32', uniforms) :
          backend.makeTensorInfo([1], 'int32', new Int32Array(1));
    }
    return releasing(backend, [reach, tileLines], () => {
      const cull = new RoITileCullProgram(tensors.x.shape[0], layout, linePass !== null);
      const withLines = {...tensors, reach, ...(tileLines === null ? {} : {tileLines})};
      const tileBoxes = runOnRoITensors(backend, kernelName, cull, withLines, attrs, 'int32', uniforms);
      return releasing(
          backend, [tileBoxes],
          () => runOnRoITensors(
              backend, kernelName, gather, {...withLines, tileBoxes}, attrs, dtype, [...moreUniforms, ...uniforms]));
    });
  });
}
