import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {MultiScaleRoIAlign, MultiScaleRoIAlignAttrs, multiScaleInputs, MultiScaleRoIList} from '../../src/kernel_names';
import {cpuValues} from './cpu_data';
import {LevelValues, multiScaleRoiAlignImpl} from './multi_scale_roi_align_impl';

/** A MultiScaleRoIAlign kernel's inputs as the cpu backend holds them, without copies. */
export function multiScaleValues(backend: MathBackendCPU, list: MultiScaleRoIList, attrs: MultiScaleRoIAlignAttrs) {
  const {boxes, boxIndices, levels, dy, winners} = multiScaleInputs(list, attrs);
  return {
    levels: levels.map((x): LevelValues => ({values: cpuValues(backend, x) as Float32Array, shape: x.shape})),
    boxes: cpuValues(backend, boxes),
    boxIndices: cpuValues(backend, boxIndices),
    dy: dy === undefined ? new Float32Array(0) : cpuValues(backend, dy) as Float32Array,
    winners: winners === undefined ? undefined : cpuValues(backend, winners) as Int32Array,
    boxesShape: boxes.shape,
  };
}

export function multiScaleRoiAlign(args: {
  inputs: MultiScaleRoIList,
  backend: MathBackendCPU,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {levels, boxes, boxIndices, boxesShape} = multiScaleValues(backend, inputs, attrs);
  const y = multiScaleRoiAlignImpl(levels, boxes, boxIndices, attrs);
  return backend.makeTensorInfo(
      [boxesShape[0], attrs.pooledHeight, attrs.pooledWidth, levels[0].shape[3]], 'float32', y);
}

export const multiScaleRoiAlignConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlign,
  backendName: 'cpu',
  kernelFunc: multiScaleRoiAlign as unknown as KernelFunc,
};
