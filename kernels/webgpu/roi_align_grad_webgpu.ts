import {env} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import type {RoIAlignMode} from '../../src/kernel_names';
import {GATHER_UNIFORMS, gatherChannelBlock, gatherInvocations, gatherLanesInvocations, lineMaskWords, lineTableWords, TileLayout} from '../../shaders/wgsl/gather';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {RoIAlignGradChannels, roiAlignGradWgsl, roiAlignTileLinesWgsl} from '../../shaders/wgsl/roi_align_grad';
import {RoIProgram} from './roi_webgpu_util';

/**
 * tf.env() flag choosing how RoIAlign's dx gather spreads channels over
 * invocations: 'lanes' (adjacent invocations on adjacent groups of 4
 * channels, whose dy loads and dx stores coalesce on a GPU), 'block' (an
 * invocation sums 16 or 32 channels of one pixel), or 'auto' (the default):
 * 'block' on a software adapter that runs compute on the CPU (SwiftShader,
 * llvmpipe), where the lanes' repeated per-pixel geometry costs in
 * proportion to C / 4; 'lanes' elsewhere. The suite runs both.
 */
export const WEBGPU_DX_LANES_FLAG = 'ROI_WEBGPU_DX_LANES';
env().registerFlag(WEBGPU_DX_LANES_FLAG, () => 'auto');

/** Whether RoIAlign's dx on `backend` takes the lanes gather (WEBGPU_DX_LANES_FLAG). */
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

/**
 * RoIAlign's gradient w.r.t. x, dx [N,H,W,C], gathered from the samples
 * that touch each pixel: by one invocation per pixel and block of channels
 * (16 for C <= 16, 32 for C <= 32, else 64; dy and the winners read as
 * vec4s where C % 4 == 0: compiled once each), or with `lanes` by one
 * invocation per pixel and group of 4 channels, adjacent invocations on
 * adjacent groups (gatherLanesMainWgsl; dy, winners and dx bound as vec4s
 * where C % 4 == 0: compiled once each). 'max' also reads the winners of
 * the forward program.
 */
export class RoIAlignGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;
  variableComponents?: number[];
  outputComponent?: number;
  private readonly channels: RoIAlignGradChannels;

  constructor(
      xShape: number[], private readonly mode: RoIAlignMode, private readonly aligned: boolean, lanes = false) {
    const vec4 = xShape[3] % 4 === 0;
    const channels: RoIAlignGradChannels =
        lanes ? {lanes: true, vec4} : {lanes: false, block: gatherChannelBlock(xShape[3]), vec4};
    super(xShape, channels.lanes ? gatherLanesInvocations(xShape) : gatherInvocations(xShape, channels.block));
    this.channels = channels;
    this.variableNames =
        ['dy', 'boxes', 'boxIndices', 'reach', 'tileBoxes', 'tileLines', ...(mode === 'avg' ? [] : ['winner'])];
    if (channels.vec4) {
      this.variableComponents = this.variableNames.map(name => (name === 'dy' || name === 'winner' ? 4 : 1));
      // The block gather writes its floats one by one.
      if (channels.lanes) this.outputComponent = 4;
    }
    const layout = channels.lanes ? (channels.vec4 ? 'lanes4' : 'lanes') : `c${channels.block}${channels.vec4 ? '_4' : ''}`;
    this.shaderKey = `roiAlignGrad_${mode}_${aligned ? 'aligned' : 'unaligned'}_${layout}`;
  }

  getUserCode(): string {
    return roiAlignGradWgsl(this.mode, this.aligned, this.channels);
  }
}

/**
 * RoIAlign's line pass: tileLines [tilesY + tilesX, K], which of each 8 x 8
 * tile row's rows and tile column's columns a box's samples read; one
 * invocation per word.
 */
export class RoIAlignTileLinesProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['boxes', 'boxIndices', 'reach'];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;

  constructor(numBoxes: number, layout: TileLayout, private readonly aligned: boolean) {
    super(
        [layout.lineTable ? lineTableWords(numBoxes, layout) : lineMaskWords(numBoxes, layout)],
        lineMaskWords(numBoxes, layout));
    this.shaderKey = `roiAlignTileLines_${aligned ? 'aligned' : 'unaligned'}`;
  }

  getUserCode(): string {
    return roiAlignTileLinesWgsl(this.aligned);
  }
}
