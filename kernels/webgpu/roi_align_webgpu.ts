import type {RoIAlignMode} from '../../src/kernel_names';
import {RoIAlignLanes, RoIAlignOutput, roiAlignWgsl} from '../../shaders/wgsl/roi_align';
import {RoIProgram} from './roi_webgpu_util';

/**
 * RoIAlign forward, one invocation per element of [K,outH,outW,C], or per
 * four channels of it (lanes 4, 'avg' with C % 4 == 0). Mode, alignment, a
 * output kind and the lanes are compiled in (and
 * so are in the shaderKey); shapes, K and the pooled size are uniforms, so
 * new boxes or feature sizes reuse the pipeline.
 */
export class RoIAlignProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['x', 'boxes', 'boxIndices'];
  variableComponents?: number[];
  outputComponent?: number;

  constructor(
      outputShape: number[], private readonly mode: RoIAlignMode, private readonly aligned: boolean,
      private readonly output: RoIAlignOutput,
      private readonly positionSensitive = false, private readonly lanes: RoIAlignLanes = 1) {
    super(outputShape, outputShape.reduce((a, b) => a * b, 1) / lanes);
    if (mode === 'avg' && output === 'winner') {
      throw new Error('RoIAlignProgram: only max mode has a winner');
    }
    if (lanes === 4) {
      // x, boxes, boxIndices; tfjs then also counts uniforms.size in vec4s.
      this.variableComponents = [4, 1, 1];
      this.outputComponent = 4;
    }
    this.shaderKey = `roiAlign_${mode}_${output}_${aligned ? 'aligned' : 'unaligned'}${
        positionSensitive ? '_ps' : ''}${lanes === 4 ? '_lanes4' : ''}`;
  }

  getUserCode(): string {
    return roiAlignWgsl(this.mode, this.aligned, this.output, this.positionSensitive, this.lanes);
  }
}
