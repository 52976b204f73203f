import type {RoIAlignMode} from '../../src/kernel_names';
import {boxGradSumWgsl, ROI_BOX_GRAD_SUM_UNIFORMS, roiAlignBoxGradWgsl} from '../../shaders/wgsl/roi_align_box_grad';
import {RoIProgram} from './roi_webgpu_util';

/**
 * Pass 1 of RoIAlign's box gradient: partial [K, outH*outW, 4], one
 * invocation per (box, bin), each writing the bin's four coordinates;
 * positionSensitive: psRoiAlign's.
 */
export class RoIAlignBoxGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames: string[];

  constructor(
      numBoxes: number, bins: number, private readonly mode: RoIAlignMode,
      private readonly aligned: boolean,
      private readonly positionSensitive = false) {
    super([numBoxes, bins, 4], numBoxes * bins);
    this.variableNames =
        mode === 'avg' ? ['x', 'dy', 'boxes', 'boxIndices'] : ['x', 'dy', 'boxes', 'boxIndices', 'winner'];
    this.shaderKey = `roiAlignBoxGrad_${mode}_${aligned ? 'aligned' : 'unaligned'}${
        positionSensitive ? '_ps' : ''}`;
  }

  getUserCode(): string {
    return roiAlignBoxGradWgsl(this.mode, this.aligned, this.positionSensitive);
  }
}

/** Pass 2: dboxes [K,4], each the in-order sum over the bins of pass 1. */
export class RoIBoxGradSumProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['partial'];
  uniforms = ROI_BOX_GRAD_SUM_UNIFORMS;

  /** fields: parameters per box, 4 for corners (5 for rotated boxes). */
  constructor(numBoxes: number, private readonly fields = 4) {
    super([numBoxes, fields]);
    this.shaderKey = fields === 4 ? 'roiBoxGradSum' : `roiBoxGradSum${fields}`;
  }

  getUserCode(): string {
    return boxGradSumWgsl(this.fields);
  }
}
