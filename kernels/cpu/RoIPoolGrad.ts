import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIGradInputs, RoIPoolAttrs, RoIPoolGrad} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {poolBinMax} from './roi_pool_bins';

/** dx: each bin's dy goes to the pixel that won its max, per channel. */
export function roiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x} = inputs;
  const {x: xValues, dy: dyValues, boxes: boxValues, boxIndices: indexValues} = roiGradValues(backend, inputs);
  const dx = new Float32Array(xValues.length);
  const best = new Float32Array(dyValues.length);
  const argmax = new Int32Array(dyValues.length);
  poolBinMax(
      x.shape, attrs, xValues, boxValues,
      indexValues, best, argmax);
  for (let i = 0; i < argmax.length; i++) {
    if (argmax[i] >= 0) dx[argmax[i]] += dyValues[i];
  }
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

export const roiPoolGradConfig: KernelConfig = {
  kernelName: RoIPoolGrad,
  backendName: 'cpu',
  kernelFunc: roiPoolGrad as unknown as KernelFunc,
};
