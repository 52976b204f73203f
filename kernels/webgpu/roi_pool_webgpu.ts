import {GATHER_UNIFORMS, gatherInvocations} from '../../shaders/wgsl/gather';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';
import {ROI_POOL_GRAD_WGSL, RoIPoolOutput, roiPoolWgsl} from '../../shaders/wgsl/roi_pool';
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
 * pixel and block of channels.
 */
export class RoIPoolGradProgram extends RoIProgram {
  shaderKey = 'roiPoolGrad';
  variableNames = ['dy', 'boxes', 'boxIndices', 'reach', 'tileBoxes', 'winner'];
  uniforms = `${ROI_UNIFORMS} ${GATHER_UNIFORMS}`;

  constructor(xShape: number[]) {
    super(xShape, gatherInvocations(xShape));
  }

  getUserCode(): string {
    return ROI_POOL_GRAD_WGSL;
  }
}
