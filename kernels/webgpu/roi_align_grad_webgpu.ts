import type {RoIAlignMode} from '../../src/kernel_names';
import {GATHER_UNIFORMS, gatherChannelBlock, gatherInvocations, lineMaskWords, lineTableWords, TileLayout} from '../../shaders/wgsl/gather';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {roiAlignGradWgsl, roiAlignTileLinesWgsl} from '../../shaders/wgsl/roi_align_grad';
import {RoIProgram} from './roi_webgpu_util';

/**
 * RoIAlign's gradient w.r.t. x, dx [N,H,W,C], gathered from the samples
 * that touch each pixel by one invocation per pixel and block of channels
 * (16 for C <= 16, else 32: compiled once each). 'max' also reads the
 * winners of the forward program.
 */
export class RoIAlignGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;
  private readonly block: number;

  constructor(
      xShape: number[], private readonly mode: RoIAlignMode, private readonly aligned: boolean) {
    const block = gatherChannelBlock(xShape[3]);
    super(xShape, gatherInvocations(xShape, block));
    this.block = block;
    this.variableNames =
        ['dy', 'boxes', 'boxIndices', 'reach', 'tileBoxes', 'tileLines', ...(mode === 'avg' ? [] : ['winner'])];
    this.shaderKey = `roiAlignGrad_${mode}_${aligned ? 'aligned' : 'unaligned'}_c${block}`;
  }

  getUserCode(): string {
    return roiAlignGradWgsl(this.mode, this.aligned, this.block);
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
