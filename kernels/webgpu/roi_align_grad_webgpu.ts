import type {RoIAlignMode} from '../../src/kernel_names';
import {GATHER_UNIFORMS, gatherInvocations} from '../../shaders/wgsl/gather';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {roiAlignGradWgsl} from '../../shaders/wgsl/roi_align_grad';
import {RoIProgram} from './roi_webgpu_util';

/**
 * RoIAlign's gradient w.r.t. x, dx [N,H,W,C], gathered from the samples
 * that touch each pixel by one invocation per pixel and block of channels. 'max' also reads the winners of
 * the forward program.
 */
export class RoIAlignGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;

  constructor(
      xShape: number[], private readonly mode: RoIAlignMode, private readonly aligned: boolean) {
    super(xShape, gatherInvocations(xShape));
    this.variableNames =
        ['dy', 'boxes', 'boxIndices', 'reach', 'tileBoxes', ...(mode === 'avg' ? [] : ['winner'])];
    this.shaderKey = `roiAlignGrad_${mode}_${aligned ? 'aligned' : 'unaligned'}`;
  }

  getUserCode(): string {
    return roiAlignGradWgsl(this.mode, this.aligned);
  }
}
