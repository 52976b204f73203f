/**
 * Entry of dist/tfjs-roi.min.js, for a script tag after tf.min.js: the
 * bundle's '@tensorflow/tfjs-core' is the global tf, the kernels register
 * against it, and the ops become tf.roiAlign and tf.roiPool.
 */
import * as tfjsRoi from './index';

declare const tf: Record<string, unknown>;

Object.assign(tf, {roiAlign: tfjsRoi.roiAlign, roiPool: tfjsRoi.roiPool});
Object.assign(tf, {multiScaleRoiAlign: tfjsRoi.multiScaleRoiAlign});
Object.assign(tf, {psRoiAlign: tfjsRoi.psRoiAlign, psRoiPool: tfjsRoi.psRoiPool});
Object.assign(tf, {roiAlignRotated: tfjsRoi.roiAlignRotated});

export * from './index';
