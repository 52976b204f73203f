import type {RoIAlignMode} from '../../src/kernel_names';
import {gatherInvocations} from '../../shaders/wgsl/gather';
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

  constructor(
      xShape: number[], private readonly mode: RoIAlignMode, private readonly aligned: boolean) {
    super(xShape, gatherInvocations(xShape));
    this.variableNames =
        mode === 'avg' ? ['dy', 'boxes', 'boxIndices', 'reach'] : ['dy', 'boxes', 'boxIndices', 'reach', 'winner'];
    this.shaderKey = `roiAlignGrad_${mode}_${aligned ? 'aligned' : 'unaligned'}`;
  }

  getUserCode(): string {
    return roiAlignGradWgsl(this.mode, this.aligned);
  }
}
