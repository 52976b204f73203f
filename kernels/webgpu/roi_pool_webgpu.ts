import {GATHER_UNIFORMS, gatherChannelBlock, gatherInvocations, GatherLayout, gatherLayoutInvocations} from '../../shaders/wgsl/gather';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {roiPoolGradWgsl, RoIPoolOutput, roiPoolWgsl} from '../../shaders/wgsl/roi_pool';
import {gatherBindings} from './gather_webgpu';
import {RoIProgram} from './roi_webgpu_util';

/**
 * RoIPool forward, one invocation per element of [K,outH,outW,C]: the max,
 * or with 'winner' the pixel that holds it (for the gradient).
 */
export class RoIPoolProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['x', 'boxes', 'boxIndices'];

  constructor(outputShape: number[], private readonly output: RoIPoolOutput) {
    super(outputShape);
    this.shaderKey = `roiPool_${output}`;
  }

  getUserCode(): string {
    return roiPoolWgsl(this.output);
  }
}

/**
 * RoIPool's gradient w.r.t. x, dx [N,H,W,C], gathered by one invocation per
 * pixel and block of channels (16, 32 or 64: gatherChannelBlock, as
 * RoIAlign's), or in lanes (dy, winner and dx as vec4s in 'lanes4'): each
 * layout and block compiled once.
 */
export class RoIPoolGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['dy', 'boxes', 'boxIndices', 'reach', 'tileBoxes', 'winner'];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;
  variableComponents?: number[];
  outputComponent?: number;

  private readonly block: number;

  constructor(xShape: number[], private readonly layout: GatherLayout) {
    const block = gatherChannelBlock(xShape[3]);
    super(xShape, layout === 'block' ? gatherInvocations(xShape, block) : gatherLayoutInvocations(xShape, layout));
    this.block = block;
    Object.assign(this, gatherBindings(this.variableNames, ['dy', 'winner'], layout));
    this.shaderKey = layout === 'block' ? `roiPoolGrad_block_c${block}` : `roiPoolGrad_${layout}`;
  }

  getUserCode(): string {
    return roiPoolGradWgsl(this.layout, this.block);
  }
}
