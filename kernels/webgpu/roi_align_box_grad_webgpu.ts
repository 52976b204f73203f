import type {RoIAlignMode} from '../../src/kernel_names';
import type {RoIAlignSource} from '../../shaders/wgsl/roi_align';
import {BOX_GRAD_GROUP, boxGradInvocations, boxGradSumWgsl, ROI_BOX_GRAD_SUM_UNIFORMS, roiAlignBoxGradWgsl} from '../../shaders/wgsl/roi_align_box_grad';
import {RoIProgram, WORKGROUP_SIZE} from './roi_webgpu_util';

/**
 * The invocations of a box gradient's first pass over boxBins (box, bin)
 * pairs of outChannels channels: whole workgroups, lanes over channels.
 */
export function boxGradPassInvocations(boxBins: number, outChannels: number): number {
  // The shader finds its lanes from the flat index in groups of BOX_GRAD_GROUP.
  if (WORKGROUP_SIZE[0] !== BOX_GRAD_GROUP) throw new Error('the box gradient\'s workgroup is not RoIProgram\'s');
  return boxGradInvocations(boxBins, outChannels);
}

/**
 * Pass 1 of RoIAlign's box gradient: partial [K, outH*outW, 4], each (box,
 * bin) summed by lanes over its outChannels channels in one workgroup (see
 * boxGradLanesMainWgsl); positionSensitive: psRoiAlign's.
 */
export class RoIAlignBoxGradProgram extends RoIProgram {
  shaderKey: string;
  variableNames: string[];
  variableComponents?: number[];

  /** source 'table': samples from the sample table (a fixed samplingRatio), which replaces boxes. */
  constructor(
      numBoxes: number, bins: number, private readonly mode: RoIAlignMode,
      private readonly aligned: boolean,
      private readonly positionSensitive: boolean, outChannels: number,
      private readonly source: RoIAlignSource = 'geometry') {
    super([numBoxes, bins, 4], boxGradPassInvocations(numBoxes * bins, outChannels));
    const table = source === 'table';
    this.variableNames = ['x', 'dy', table ? 'sampleTable' : 'boxes', 'boxIndices', ...(mode === 'max' ? ['winner'] : [])];
    if (table) this.variableComponents = this.variableNames.map(name => name === 'sampleTable' ? 4 : 1);
    this.shaderKey = `roiAlignBoxGrad_${mode}_${aligned ? 'aligned' : 'unaligned'}${
        positionSensitive ? '_ps' : ''}${table ? '_table' : ''}`;
  }

  getUserCode(): string {
    return roiAlignBoxGradWgsl(this.mode, this.aligned, this.positionSensitive, this.source);
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
