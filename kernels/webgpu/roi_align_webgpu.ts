import type {RoIAlignMode} from '../../src/kernel_names';
import {RoIAlignOutput, roiAlignWgsl} from '../../shaders/wgsl/roi_align';
import {RoIProgram, samplingKey} from './roi_webgpu_util';

/**
 * RoIAlign forward, one invocation per element of [K,outH,outW,C]. Mode,
 * alignment, a fixed sampling ratio and the output kind are compiled in (and
 * so are in the shaderKey); shapes, K and the pooled size are uniforms, so
 * new boxes or feature sizes reuse the pipeline.
 */
export class RoIAlignProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['x', 'boxes', 'boxIndices'];

  constructor(
      outputShape: number[], private readonly mode: RoIAlignMode, private readonly aligned: boolean,
      private readonly samplingRatio: number, private readonly output: RoIAlignOutput,
      private readonly positionSensitive = false) {
    super(outputShape);
    if (mode === 'avg' && output === 'winner') {
      throw new Error('RoIAlignProgram: only max mode has a winner');
    }
    this.shaderKey = `roiAlign_${mode}_${output}_${aligned ? 'aligned' : 'unaligned'}_${samplingKey(samplingRatio)}${
        positionSensitive ? '_ps' : ''}`;
  }

  getUserCode(): string {
    return roiAlignWgsl(this.mode, this.aligned, this.samplingRatio, this.output, this.positionSensitive);
  }
}
