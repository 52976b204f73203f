import type {RoIAlignMode} from '../../src/kernel_names';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {roiAlignGradWgsl} from '../../shaders/wgsl/roi_align_grad';
import {RoIProgram, samplingKey} from './roi_webgpu_util';

/**
 * RoIAlign's gradient w.r.t. x, one invocation per element of dx [N,H,W,C]
 * gathering from the samples that touch it. 'max' also reads the winners of
 * the forward program.
 */
export class RoIAlignGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames: string[];
  uniforms = ROI_UNIFORMS;

  constructor(
      xShape: number[], private readonly mode: RoIAlignMode, private readonly aligned: boolean,
      private readonly samplingRatio: number) {
    super(xShape);
    this.variableNames = mode === 'avg' ? ['dy', 'boxes', 'boxIndices'] : ['dy', 'boxes', 'boxIndices', 'winner'];
    this.shaderKey = `roiAlignGrad_${mode}_${aligned ? 'aligned' : 'unaligned'}_${samplingKey(samplingRatio)}`;
  }

  getUserCode(): string {
    return roiAlignGradWgsl(this.mode, this.aligned, this.samplingRatio);
  }
}
