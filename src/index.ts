import {registerRoILayersIfAvailable} from './layers';
import {registerRoIKernels} from './register';

registerRoIKernels();
registerRoILayersIfAvailable();

export {roiAlign} from './roi_align';
export type {RoIAlignOptions} from './roi_align';
export {roiPool} from './roi_pool';
export type {RoIPoolOptions} from './roi_pool';
export type {DataFormat} from './args';
export * from './kernel_names';
export {kernelConfigs, registerRoIKernels} from './register';
export {layers, registerRoILayers} from './layers';
export type {RoIAlignLayerArgs, RoIPoolLayerArgs} from './layers';
export {multiScaleRoiAlign} from './multi_scale_roi_align';
export type {MultiScaleRoIAlignOptions} from './multi_scale_roi_align';
export type {MultiScaleRoIAlignLayerArgs} from './layers';
export {psRoiAlign} from './ps_roi_align';
export type {PsRoIAlignOptions} from './ps_roi_align';
export {psRoiPool} from './ps_roi_pool';
export type {PsRoIPoolOptions} from './ps_roi_pool';
export {roiAlignRotated} from './roi_align_rotated';
export type {RoIAlignRotatedOptions} from './roi_align_rotated';
export type {AngleUnit} from './geometry';
