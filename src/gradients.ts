import {engine, zeros} from '@tensorflow/tfjs-core';
import type {GradConfig, NamedAttrMap, NamedTensorMap, Tensor} from '@tensorflow/tfjs-core';

import {RoIAlign, RoIAlignAttrs, RoIAlignBoxGrad, RoIAlignGrad, RoIAlignWinners, RoIPool, RoIPoolGrad} from './kernel_names';
import {PsRoIAlign, PsRoIAlignBoxGrad, PsRoIAlignGrad, PsRoIPool, PsRoIPoolGrad} from './kernel_names';
import {RoIAlignRotated, RoIAlignRotatedBoxGrad, RoIAlignRotatedGrad} from './kernel_names';
import {MultiScaleRoIAlign, MultiScaleRoIAlignAttrs, MultiScaleRoIAlignBoxGrad, MultiScaleRoIAlignGrad, MultiScaleRoIAlignWinners} from './kernel_names';

/**
 * Gradients of both ops. The kernels recompute the geometry (and roiPool's
 * winners; roiAlign 'max' hands them its own, see roiAlignGradConfig) from
 * the saved inputs, so the forward pass saves nothing extra. boxIndices are discrete: their gradient is zero, in float32 as the
 * engine requires. `more` are inputs beyond the saved ones and dy, which
 * both gradient kernels read.
 */
function roiGradients(
    xGradKernel: string, boxGradKernel: string|null, dy: Tensor,
    saved: Tensor[], attrs: NamedAttrMap, more: NamedTensorMap = {}) {
  const [x, boxes, boxIndices] = saved;
  const inputs = {dy, x, boxes, boxIndices, ...more};
  return {
    x: () => engine().runKernel(xGradKernel, inputs, attrs) as Tensor,
    boxes: () => boxGradKernel === null ?
        zeros(boxes.shape, 'float32') :
        engine().runKernel(boxGradKernel, inputs, attrs) as Tensor,
    boxIndices: () => zeros(boxIndices.shape, 'float32'),
  };
}

/**
 * The GradConfig of a RoI kernel whose backward is xGradKernel (w.r.t. x) and
 * boxGradKernel (w.r.t. the boxes; null: zero).
 */
function roiGradConfig(kernelName: string, xGradKernel: string, boxGradKernel: string|null): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x', 'boxes', 'boxIndices'],
    gradFunc: (dy, saved, attrs) => roiGradients(xGradKernel, boxGradKernel, dy as Tensor, saved, attrs),
  };
}

/**
 * 'max' mode finds each bin's winners once per step, here, and both
 * gradient kernels read them instead of each searching the bins again. The
 * engine runs gradFunc and then both closures inside its backward tidy,
 * which disposes the winners when the step's gradients are done.
 */
export const roiAlignGradConfig: GradConfig = {
  kernelName: RoIAlign,
  inputsToSave: ['x', 'boxes', 'boxIndices'],
  gradFunc: (dy, saved, attrs) => {
    if ((attrs as unknown as RoIAlignAttrs).mode !== 'max') {
      return roiGradients(RoIAlignGrad, RoIAlignBoxGrad, dy as Tensor, saved, attrs);
    }
    const [x, boxes, boxIndices] = saved;
    const winners = engine().runKernel(RoIAlignWinners, {x, boxes, boxIndices}, attrs) as Tensor;
    return roiGradients(RoIAlignGrad, RoIAlignBoxGrad, dy as Tensor, saved, attrs, {winners});
  },
};

/** RoIPool's box corners are rounded, so the boxes get a zero gradient. */
export const roiPoolGradConfig = roiGradConfig(RoIPool, RoIPoolGrad, null);

export const psRoiAlignGradConfig = roiGradConfig(PsRoIAlign, PsRoIAlignGrad, PsRoIAlignBoxGrad);

/** As for RoIPool, the rounded corners give the boxes a zero gradient. */
export const psRoiPoolGradConfig = roiGradConfig(PsRoIPool, PsRoIPoolGrad, null);

/** Boxes get a gradient w.r.t. all five parameters, the angle included. */
export const roiAlignRotatedGradConfig = roiGradConfig(RoIAlignRotated, RoIAlignRotatedGrad, RoIAlignRotatedBoxGrad);

/**
 * MultiScaleRoIAlign: one kernel gives dx of every level (computed together,
 * so here, before the engine asks for them; it disposes those it does not
 * use), another the boxes' gradient. The inputs are a list (see
 * MultiScaleRoIList), so the gradients are keyed by position. 'max' finds
 * the winners once per step, as roiAlignGradConfig does, and appends them
 * to both kernels' list; the backward tidy disposes them.
 */
export const multiScaleRoiAlignGradConfig: GradConfig = {
  kernelName: MultiScaleRoIAlign,
  saveAllInputs: true,
  gradFunc: (dy, saved, attrs) => {
    const winners = (attrs as unknown as MultiScaleRoIAlignAttrs).mode === 'max' ?
        [engine().runKernel(MultiScaleRoIAlignWinners, saved as unknown as NamedTensorMap, attrs) as Tensor] :
        [];
    const list = [...saved, dy as Tensor, ...winners];
    const dxs = engine().runKernel(MultiScaleRoIAlignGrad, list as unknown as NamedTensorMap, attrs) as unknown as
        Tensor[];
    const grads: Record<string, () => Tensor> = {
      0: () => engine().runKernel(MultiScaleRoIAlignBoxGrad, list as unknown as NamedTensorMap, attrs) as Tensor,
      1: () => zeros(saved[1].shape, 'float32'),
    };
    dxs.forEach((dx, l) => grads[2 + l] = () => dx);
    return grads;
  },
};

export const gradConfigs = [
  roiAlignGradConfig, roiPoolGradConfig, psRoiAlignGradConfig, psRoiPoolGradConfig,
  roiAlignRotatedGradConfig, multiScaleRoiAlignGradConfig
];
