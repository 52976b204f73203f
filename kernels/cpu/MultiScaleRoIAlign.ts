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
  return multiScaleForward(args.backend, args.inputs, args.attrs, 'float32', multiScaleRoiAlignImpl);
}

/**
 * [K, outH, outW, C] from `impl` over the kernel's values: y, or the 'max'
 * winners (MultiScaleRoIAlignWinners, int32).
 */
export function multiScaleForward(
    backend: MathBackendCPU, list: MultiScaleRoIList, attrs: MultiScaleRoIAlignAttrs, dtype: 'float32'|'int32',
    impl: (levels: LevelValues[], boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
           attrs: MultiScaleRoIAlignAttrs) => Float32Array|Int32Array): TensorInfo {
  const {levels, boxes, boxIndices, boxesShape} = multiScaleValues(backend, list, attrs);
  return backend.makeTensorInfo(
      [boxesShape[0], attrs.pooledHeight, attrs.pooledWidth, levels[0].shape[3]], dtype,
      impl(levels, boxes, boxIndices, attrs));
}

export const multiScaleRoiAlignConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlign,
  backendName: 'cpu',
  kernelFunc: multiScaleRoiAlign as unknown as KernelFunc,
};
