import type {RoIAlignMode} from '../../src/kernel_names';
import {channelsPerInvocation, RoIAlignOutput, roiAlignSampleTableWgsl, RoIAlignSource, roiAlignWgsl, RoIForwardLanes} from '../../shaders/wgsl/roi_align';
import {RoIProgram} from './roi_webgpu_util';

/**
 * The lanes of a forward program over outChannels output channels: four
 * channels share each sample's geometry, read as one vec4 where they lie
 * consecutive in x (C % 4 == 0, inPlace), else one float at a time; under
 * four channels, one. Each choice is one pipeline, not one per shape.
 */
export function forwardLanes(outChannels: number, inPlace: boolean): RoIForwardLanes {
  if (inPlace && outChannels % 4 === 0) return 4;
  return outChannels >= 4 ? 'split4' : 1;
}

/** The invocations of a forward program over [K,outH,outW,outChannels]. */
export function forwardInvocations(outputShape: number[], lanes: RoIForwardLanes): number {
  const [K, outH, outW, outChannels] = outputShape;
  return K * outH * outW * Math.ceil(outChannels / channelsPerInvocation(lanes));
}

/** The shaderKey suffix of lanes. */
export function lanesKey(lanes: RoIForwardLanes): string {
  return lanes === 1 ? '' : lanes === 4 ? '_lanes4' : '_split4';
}

/**
 * RoIAlign forward, one invocation per box, bin and block of channels (see
 * forwardLanes). Mode, alignment, the output kind, the lanes and the source
 * of the samples are compiled in (and so are in the shaderKey); shapes, K,
 * the pooled size and the sampling ratio are uniforms, so new boxes or
 * feature sizes reuse the pipeline.
 */
export class RoIAlignProgram extends RoIProgram {
  shaderKey: string;
  variableNames: string[];
  variableComponents?: number[];
  outputComponent?: number;

  constructor(
      outputShape: number[], private readonly mode: RoIAlignMode, private readonly aligned: boolean,
      private readonly output: RoIAlignOutput,
      private readonly positionSensitive = false, private readonly lanes: RoIForwardLanes = 1,
      private readonly source: RoIAlignSource = 'geometry') {
    super(outputShape, forwardInvocations(outputShape, lanes));
    if (mode === 'avg' && output === 'winner') {
      throw new Error('RoIAlignProgram: only max mode has a winner');
    }
    const table = source === 'table';
    this.variableNames = ['x', table ? 'sampleTable' : 'boxes', 'boxIndices'];
    if (lanes === 4 || table) {
      // tfjs counts uniforms.size in vec4s when the output is vec4s.
      this.variableComponents = [lanes === 4 ? 4 : 1, table ? 4 : 1, 1];
    }
    if (lanes === 4) this.outputComponent = 4;
    this.shaderKey = `roiAlign_${mode}_${output}_${aligned ? 'aligned' : 'unaligned'}${
        positionSensitive ? '_ps' : ''}${lanesKey(lanes)}${table ? '_table' : ''}`;
  }

  getUserCode(): string {
    return roiAlignWgsl(this.mode, this.aligned, this.output, this.positionSensitive, this.lanes, this.source);
  }
}

/**
 * The sample table of a fixed samplingRatio (roiAlignSampleTableWgsl): vec4s
 * [K, (outH + outW) * ratio, 2], one invocation per entry. Only `aligned`
 * is compiled in.
 */
export class RoIAlignSampleTableProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['boxes', 'boxIndices'];
  variableComponents = [1, 1];
  outputComponent = 4;

  constructor(numBoxes: number, attrs: {pooledHeight: number, pooledWidth: number, samplingRatio: number},
              private readonly aligned: boolean) {
    const entries = numBoxes * (attrs.pooledHeight + attrs.pooledWidth) * attrs.samplingRatio;
    super([entries, 8], entries);
    this.shaderKey = `roiAlignSampleTable_${aligned ? 'aligned' : 'unaligned'}`;
  }

  getUserCode(): string {
    return roiAlignSampleTableWgsl(this.aligned);
  }
}
