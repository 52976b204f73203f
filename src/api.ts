/**
 * The public API that every entry point shares: the ops, the layers, the
 * kernel names and attributes. Importing it registers nothing; the entries
 * (index.ts for every backend, cpu.ts, webgl.ts, webgpu.ts) register kernels.
 */
export {roiAlign} from './roi_align';
export type {RoIAlignOptions} from './roi_align';
export {roiPool} from './roi_pool';
export type {RoIPoolOptions} from './roi_pool';
export type {DataFormat} from './args';
export {
  PsRoIAlign, PsRoIAlignBoxGrad, PsRoIAlignGrad, PsRoIPool, PsRoIPoolGrad, RoIAlign, RoIAlignBoxGrad,
  RoIAlignGrad, RoIAlignRotated, RoIAlignRotatedBoxGrad, RoIAlignRotatedGrad, RoIAlignWinners, RoIPool,
  RoIPoolGrad,
} from './kernel_names';
export type {
  PsRoIAlignAttrs, PsRoIPoolAttrs, RoIAlignAttrs, RoIAlignGradInputs, RoIAlignMode, RoIAlignRotatedAttrs,
  RoIGradInputs, RoIInputs, RoIPoolAttrs,
} from './kernel_names';
export {layers, registerRoILayers} from './layers';
export type {MultiScaleRoIAlignLayerArgs, RoIAlignLayerArgs, RoILayerClasses, RoIPoolLayerArgs} from './layers';
export {multiScaleRoiAlign} from './multi_scale_roi_align';
export type {MultiScaleRoIAlignOptions} from './multi_scale_roi_align';
export {psRoiAlign} from './ps_roi_align';
export type {PsRoIAlignOptions} from './ps_roi_align';
export {psRoiPool} from './ps_roi_pool';
export type {PsRoIPoolOptions} from './ps_roi_pool';
export {roiAlignRotated} from './roi_align_rotated';
export type {RoIAlignRotatedOptions} from './roi_align_rotated';
export type {AngleUnit} from './geometry';
export {MAX_SAMPLES_PER_BIN_AXIS} from './limits';
