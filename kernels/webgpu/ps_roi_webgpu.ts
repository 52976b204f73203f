import {roiAlignWgsl} from '../../shaders/wgsl/roi_align';
import {roiAlignBoxGradWgsl} from '../../shaders/wgsl/roi_align_box_grad';
import {gatherInvocations} from '../../shaders/wgsl/gather';
import {PS_ROI_POOL_GRAD_WGSL, PS_ROI_POOL_WGSL, psRoiAlignGradWgsl} from '../../shaders/wgsl/ps_roi';
import {RoIProgram, samplingKey} from './roi_webgpu_util';

/**
 * psRoiAlign forward, one invocation per element of [K,outH,outW,Cout]:
 * RoIAlign's aligned 'avg' program, position-sensitive.
 */
export class PsRoIAlignProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['x', 'boxes', 'boxIndices'];

  constructor(outputShape: number[], private readonly samplingRatio: number) {
    super(outputShape);
    this.shaderKey = `psRoiAlign_${samplingKey(samplingRatio)}`;
  }

  getUserCode(): string {
    return roiAlignWgsl('avg', true, this.samplingRatio, 'value', true);
  }
}

/** psRoiAlign's dx [N,H,W,C], gathered by one invocation per pixel and block of channels. */
export class PsRoIAlignGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['dy', 'boxes', 'boxIndices', 'reach'];

  constructor(xShape: number[], private readonly samplingRatio: number) {
    super(xShape, gatherInvocations(xShape));
    this.shaderKey = `psRoiAlignGrad_${samplingKey(samplingRatio)}`;
  }

  getUserCode(): string {
    return psRoiAlignGradWgsl(this.samplingRatio);
  }
}

/**
 * Pass 1 of psRoiAlign's box gradient, partial [K, outH*outW, 4]: RoIAlign's
 * 'avg' pass 1, position-sensitive. Pass 2 is RoIBoxGradSumProgram.
 */
export class PsRoIAlignBoxGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['x', 'dy', 'boxes', 'boxIndices'];

  constructor(numBoxes: number, bins: number, private readonly samplingRatio: number) {
    super([numBoxes, bins, 4], numBoxes * bins);
    this.shaderKey = `psRoiAlignBoxGrad_${samplingKey(samplingRatio)}`;
  }

  getUserCode(): string {
    return roiAlignBoxGradWgsl('avg', true, this.samplingRatio, true);
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
  variableNames = ['dy', 'boxes', 'boxIndices', 'reach'];

  constructor(xShape: number[]) {
    super(xShape, gatherInvocations(xShape));
  }

  getUserCode(): string {
    return PS_ROI_POOL_GRAD_WGSL;
  }
}
