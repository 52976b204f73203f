/**
 * The position-sensitive programs of their own: psRoiAlign's dx gather and
 * psRoiPool's. psRoiAlign's forward and box gradient are RoIAlign's programs
 * with positionSensitive set.
 */
import {GATHER_UNIFORMS, gatherInvocations} from '../../shaders/wgsl/gather';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {PS_ROI_POOL_GRAD_WGSL, PS_ROI_POOL_WGSL, psRoiAlignGradWgsl} from '../../shaders/wgsl/ps_roi';
import {RoIProgram} from './roi_webgpu_util';

/** psRoiAlign's dx [N,H,W,C], gathered by one invocation per pixel and block of channels. */
export class PsRoIAlignGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['dy', 'boxes', 'boxIndices', 'reach', 'tileBoxes'];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;

  constructor(xShape: number[]) {
    super(xShape, gatherInvocations(xShape));
    this.shaderKey = 'psRoiAlignGrad';
  }

  getUserCode(): string {
    return psRoiAlignGradWgsl();
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

/** psRoiPool's dx [N,H,W,C], gathered by one invocation per pixel and block of channels. */
export class PsRoIPoolGradProgram extends RoIProgram {
  shaderKey = 'psRoiPoolGrad';
  variableNames = ['dy', 'boxes', 'boxIndices', 'reach', 'tileBoxes'];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;

  constructor(xShape: number[]) {
    super(xShape, gatherInvocations(xShape));
  }

  getUserCode(): string {
    return PS_ROI_POOL_GRAD_WGSL;
  }
}
