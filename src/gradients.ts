import {engine, zeros} from '@tensorflow/tfjs-core';
import type {GradConfig, NamedAttrMap, Tensor} from '@tensorflow/tfjs-core';

import {RoIAlign, RoIAlignBoxGrad, RoIAlignGrad, RoIPool, RoIPoolGrad} from './kernel_names';
import {PsRoIAlign, PsRoIAlignBoxGrad, PsRoIAlignGrad, PsRoIPool, PsRoIPoolGrad} from './kernel_names';
import {RoIAlignRotated, RoIAlignRotatedBoxGrad, RoIAlignRotatedGrad} from './kernel_names';

/**
 * Gradients of both ops. The kernels recompute the geometry (and, for the max
 * modes, the winner) from the saved inputs, so the forward pass saves nothing
 * extra. boxIndices are discrete: their gradient is zero, in float32 as the
 * engine requires.
 */
function roiGradients(
    xGradKernel: string, boxGradKernel: string|null, dy: Tensor,
    saved: Tensor[], attrs: NamedAttrMap) {
  const [x, boxes, boxIndices] = saved;
  const inputs = {dy, x, boxes, boxIndices};
  return {
    x: () => engine().runKernel(xGradKernel, inputs, attrs) as Tensor,
    boxes: () => boxGradKernel === null ?
        zeros(boxes.shape, 'float32') :
        engine().runKernel(boxGradKernel, inputs, attrs) as Tensor,
    boxIndices: () => zeros(boxIndices.shape, 'float32'),
  };
}

export const roiAlignGradConfig: GradConfig = {
  kernelName: RoIAlign,
  inputsToSave: ['x', 'boxes', 'boxIndices'],
  gradFunc: (dy, saved, attrs) =>
      roiGradients(RoIAlignGrad, RoIAlignBoxGrad, dy as Tensor, saved, attrs),
};

/** RoIPool's box corners are rounded, so the boxes get a zero gradient. */
export const roiPoolGradConfig: GradConfig = {
  kernelName: RoIPool,
  inputsToSave: ['x', 'boxes', 'boxIndices'],
  gradFunc: (dy, saved, attrs) =>
      roiGradients(RoIPoolGrad, null, dy as Tensor, saved, attrs),
};

export const psRoiAlignGradConfig: GradConfig = {
  kernelName: PsRoIAlign,
  inputsToSave: ['x', 'boxes', 'boxIndices'],
  gradFunc: (dy, saved, attrs) =>
      roiGradients(PsRoIAlignGrad, PsRoIAlignBoxGrad, dy as Tensor, saved, attrs),
};

/** As for RoIPool, the rounded corners give the boxes a zero gradient. */
export const psRoiPoolGradConfig: GradConfig = {
  kernelName: PsRoIPool,
  inputsToSave: ['x', 'boxes', 'boxIndices'],
  gradFunc: (dy, saved, attrs) =>
      roiGradients(PsRoIPoolGrad, null, dy as Tensor, saved, attrs),
};

/** Boxes get a gradient w.r.t. all five parameters, the angle included. */
export const roiAlignRotatedGradConfig: GradConfig = {
  kernelName: RoIAlignRotated,
  inputsToSave: ['x', 'boxes', 'boxIndices'],
  gradFunc: (dy, saved, attrs) =>
      roiGradients(RoIAlignRotatedGrad, RoIAlignRotatedBoxGrad, dy as Tensor, saved, attrs),
};

export const gradConfigs = [
  roiAlignGradConfig, roiPoolGradConfig, psRoiAlignGradConfig, psRoiPoolGradConfig,
  roiAlignRotatedGradConfig
];
