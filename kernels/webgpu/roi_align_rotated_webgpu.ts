/**
 * The RoIAlignRotated webgpu programs. Shapes, K, the pooled size, the
 * scale, the sampling ratio and the angle's unit and direction are uniforms
 * (ROI_ALIGN_ROTATED_UNIFORMS), so one pipeline serves every call.
 */
import {radiansPerAngle} from '../../src/geometry';
import type {RoIAlignRotatedAttrs} from '../../src/kernel_names';
import {GATHER_UNIFORMS, GatherLayout, gatherLayoutInvocations, REACH_FIELDS} from '../../shaders/wgsl/gather';
import {ROI_ALIGN_ROTATED_UNIFORMS} from '../../shaders/wgsl/geometry';
import type {RoIForwardLanes} from '../../shaders/wgsl/roi_align';
import {roiAlignRotatedBoxGradWgsl, roiAlignRotatedGradWgsl, roiAlignRotatedReachWgsl, roiAlignRotatedWgsl} from '../../shaders/wgsl/roi_align_rotated';
import {boxGradPassInvocations} from './roi_align_box_grad_webgpu';
import {gatherBindings} from './gather_webgpu';
import {ProgramUniforms, RoIProgram} from './roi_webgpu_util';
import {forwardInvocations, lanesKey} from './roi_align_webgpu';

abstract class RoIAlignRotatedProgramBase extends RoIProgram {
  uniforms = ROI_ALIGN_ROTATED_UNIFORMS;
}

/** y [K,outH,outW,C], one invocation per box, bin and block of channels (forwardLanes). */
export class RoIAlignRotatedProgram extends RoIAlignRotatedProgramBase {
  shaderKey: string;
  variableNames = ['x', 'boxes', 'boxIndices'];
  variableComponents?: number[];
  outputComponent?: number;

  constructor(outputShape: number[], private readonly lanes: RoIForwardLanes) {
    super(outputShape, forwardInvocations(outputShape, lanes));
    if (lanes === 4) {
      // x, boxes, boxIndices; tfjs then also counts uniforms.size in vec4s.
      this.variableComponents = [4, 1, 1];
      this.outputComponent = 4;
    }
    this.shaderKey = `roiAlignRotated${lanesKey(lanes)}`;
  }

  getUserCode(): string {
    return roiAlignRotatedWgsl(this.lanes);
  }
}

/** reach [K,5] int32: each box's image and the pixels its samples can read. */
export class RoIAlignRotatedReachProgram extends RoIAlignRotatedProgramBase {
  shaderKey: string;
  variableNames = ['boxes', 'boxIndices'];

  constructor(numBoxes: number) {
    super([numBoxes, REACH_FIELDS], numBoxes);
    this.shaderKey = 'roiAlignRotatedReach';
  }

  getUserCode(): string {
    return roiAlignRotatedReachWgsl();
  }
}

/**
 * dx [N,H,W,C], gathered by one invocation per pixel and block of channels,
 * or in lanes (dy and dx as vec4s in 'lanes4'): each layout compiled once.
 */
export class RoIAlignRotatedGradProgram extends RoIAlignRotatedProgramBase {
  shaderKey: string;
  variableNames = ['dy', 'boxes', 'boxIndices', 'reach', 'tileBoxes'];
  uniforms = `${ROI_ALIGN_ROTATED_UNIFORMS} ${GATHER_UNIFORMS}`;
  variableComponents?: number[];
  outputComponent?: number;

  constructor(xShape: number[], private readonly layout: GatherLayout) {
    super(xShape, gatherLayoutInvocations(xShape, layout));
    Object.assign(this, gatherBindings(this.variableNames, ['dy'], layout));
    this.shaderKey = `roiAlignRotatedGrad_${layout}`;
  }

  getUserCode(): string {
    return roiAlignRotatedGradWgsl(this.layout);
  }
}

/** Pass 1 of dboxes: partial [K, outH*outW, 5], each (box, bin) summed by lanes over the channels. */
export class RoIAlignRotatedBoxGradProgram extends RoIAlignRotatedProgramBase {
  shaderKey: string;
  variableNames = ['x', 'dy', 'boxes', 'boxIndices'];

  constructor(numBoxes: number, bins: number, fields: number, channels: number) {
    super([numBoxes, bins, fields], boxGradPassInvocations(numBoxes * bins, channels));
    this.shaderKey = 'roiAlignRotatedBoxGrad';
  }

  getUserCode(): string {
    return roiAlignRotatedBoxGradWgsl();
  }
}

/** The uniforms rotated programs add to ROI_UNIFORMS: radiansPerAngle. */
export function rotatedUniforms(attrs: RoIAlignRotatedAttrs): ProgramUniforms {
  return [{type: 'float32', data: [radiansPerAngle(attrs.angleUnit, attrs.clockwise)]}];
}
