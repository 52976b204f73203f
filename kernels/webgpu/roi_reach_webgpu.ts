import {REACH_FIELDS, reachWgsl} from '../../shaders/wgsl/gather';
import {ROI_POOL_GEOMETRY_WGSL, roiAlignGeometryWgsl} from '../../shaders/wgsl/geometry';
import {RoIProgram} from './roi_webgpu_util';

/**
 * The pass before a dx gather: reach [K, 5] int32, each box's image (-1 when
 * it reads nothing) and the rectangle of pixels it can pass gradient to.
 * `align` null is RoIPool's geometry; otherwise RoIAlign's, whose alignment
 * is compiled in.
 */
export class RoIReachProgram extends RoIProgram {
  shaderKey: string;
  variableNames = ['boxes', 'boxIndices'];

  constructor(numBoxes: number, private readonly align: {aligned: boolean}|null) {
    super([numBoxes, REACH_FIELDS], numBoxes);
    this.shaderKey = align === null ?
        'roiReach_pool' :
        `roiReach_align_${align.aligned ? 'aligned' : 'unaligned'}`;
  }

  getUserCode(): string {
    return reachWgsl(
        this.align === null ? ROI_POOL_GEOMETRY_WGSL :
                              roiAlignGeometryWgsl(this.align.aligned));
  }
}
