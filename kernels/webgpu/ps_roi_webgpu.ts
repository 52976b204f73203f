/**
 * The position-sensitive programs of their own: psRoiAlign's dx gather and
 * psRoiPool's. psRoiAlign's forward and box gradient are RoIAlign's programs
 * with positionSensitive set.
 */
import {GATHER_UNIFORMS, GatherLayout, gatherLayoutInvocations} from '../../shaders/wgsl/gather';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {PS_ROI_POOL_WGSL, psRoiAlignGradWgsl, psRoiPoolGradWgsl} from '../../shaders/wgsl/ps_roi';
import {gatherBindings} from './gather_webgpu';
import {RoIProgram} from './roi_webgpu_util';

/** Which position-sensitive op's dx a PsRoIGradProgram gathers. */
export type PsRoIGradOp = 'psRoiAlign'|'psRoiPool';

/**
 * psRoiAlign's or psRoiPool's dx [N,H,W,C], gathered by one invocation per
 * pixel and block of channels, or in lanes (dx as vec4s in 'lanes4'; dy
 * stays float, as a lane's 4 channels feed 4 bins): each op and layout
 * compiled once.
 */
export class PsRoIGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['dy', 'boxes', 'boxIndices', 'reach', 'tileBoxes'];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;
  variableComponents?: number[];
  outputComponent?: number;

  constructor(private readonly op: PsRoIGradOp, xShape: number[], private readonly layout: GatherLayout) {
    super(xShape, gatherLayoutInvocations(xShape, layout));
    Object.assign(this, gatherBindings(this.variableNames, [], layout));
    this.shaderKey = `${op}Grad_${layout}`;
  }

  getUserCode(): string {
    return this.op === 'psRoiAlign' ? psRoiAlignGradWgsl(this.layout) : psRoiPoolGradWgsl(this.layout);
  }
}

/** psRoiPool forward, one invocation per element of [K,outH,outW,Cout]. */
export class PsRoIPoolProgram extends RoIProgram {
  shaderKey = 'psRoiPool';
  variableNames = ['x', 'boxes', 'boxIndices'];

  getUserCode(): string {
    return PS_ROI_POOL_WGSL;
  }
}
