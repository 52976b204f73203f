import {getKernel} from '@tensorflow/tfjs-core';
import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend} from '@tensorflow/tfjs-backend-webgpu';

import {levelRoIAlignAttrs, MultiScaleRoIAlignAttrs, MultiScaleRoIAlignGrad, multiScaleInputs, MultiScaleRoIList} from '../../src/kernel_names';
import type {RoIAlignAttrs, RoIAlignGradInputs} from '../../src/kernel_names';
import {MultiScaleLevelIndicesProgram, multiScaleUniformValues} from './multi_scale_roi_align_webgpu';
import {releasing, runRoIProgram} from './roi_webgpu_util';
import {roiAlignGrad} from './RoIAlignGrad';

/**
 * Runs `perLevel` once per level on RoIAlign's gradient inputs with the
 * boxes of the other levels given batch index -1 (decided on the device,
 * as the forward decides them), which RoIAlign's gradient kernels skip
 * before sampling: so each level costs what its own boxes cost. Given
 * winners (MultiScaleRoIAlignWinners) go to every level whole: a level
 * reads only its own boxes' bins.
 */
export function forEachLevelOnDevice<T>(
    backend: WebGPUBackend, kernelName: string, list: MultiScaleRoIList, attrs: MultiScaleRoIAlignAttrs,
    perLevel: (inputs: RoIAlignGradInputs, attrs: RoIAlignAttrs) => T): T[] {
  const {boxes, boxIndices, levels, dy, winners} = multiScaleInputs(list, attrs);
  const numBoxes = boxes.shape[0];
  const uniforms = multiScaleUniformValues(levels.map(x => x.shape), numBoxes, attrs);
  return levels.map((x, l) => {
    const indices = levels.length === 1 ?
        null :
        runRoIProgram(
            backend, kernelName, new MultiScaleLevelIndicesProgram(numBoxes, levels.length), [boxes, boxIndices],
            'int32', [...uniforms, {type: 'int32', data: [l]}]);
    return releasing(
        backend, [indices],
        () => perLevel({dy: dy!, x, boxes, boxIndices: indices ?? boxIndices, winners}, levelRoIAlignAttrs(attrs, l)));
  });
}

/** dx of every level: RoIAlign's gather gradient per level, on that level's boxes. */
export function multiScaleRoiAlignGrad(args: {
  inputs: MultiScaleRoIList,
  backend: WebGPUBackend,
  attrs: MultiScaleRoIAlignAttrs,
}): TensorInfo[] {
  const {inputs, backend, attrs} = args;
  return forEachLevelOnDevice(
      backend, MultiScaleRoIAlignGrad, inputs, attrs,
      (levelInputs, levelAttrs) => roiAlignGrad({inputs: levelInputs, backend, attrs: levelAttrs}));
}

export const multiScaleRoiAlignGradConfig: KernelConfig = {
  kernelName: MultiScaleRoIAlignGrad,
  backendName: 'webgpu',
  kernelFunc: multiScaleRoiAlignGrad as unknown as KernelFunc,
};

/** The sum of same-shaped tensors by the backend's own AddN; disposes the parts. */
export function sumOnBackend(backend: WebGPUBackend, parts: TensorInfo[]): TensorInfo {
  if (parts.length === 1) return parts[0];
  const addN = getKernel('AddN', 'webgpu')!.kernelFunc;
  return releasing(backend, parts, () => addN({inputs: parts as never, backend, attrs: {}}) as TensorInfo);
}
