import type {RoIAlignMode} from '../../src/kernel_names';
import {GATHER_UNIFORMS, gatherChannelBlock, gatherInvocations, gatherLanesInvocations, lineMaskWords, lineTableWords, TileLayout} from '../../shaders/wgsl/gather';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {RoIAlignGradChannels, roiAlignGradWgsl, roiAlignTileLinesWgsl} from '../../shaders/wgsl/roi_align_grad';
import {RoIProgram} from './roi_webgpu_util';

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
