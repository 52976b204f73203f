import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIInputs, RoIPool, RoIPoolAttrs} from '../../src/kernel_names';
import {roiValues} from './cpu_data';
import {poolBinMax} from './roi_pool_bins';

export function roiPool(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes} = inputs;
  const {x: xValues, boxes: boxValues, boxIndices: indexValues} = roiValues(backend, inputs);
  const shape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, x.shape[3]];
  const out = new Float32Array(shape[0] * shape[1] * shape[2] * shape[3]);
  poolBinMax(
      x.shape, attrs, xValues, boxValues,
      indexValues, out, null);
  return backend.makeTensorInfo(shape, 'float32', out);
}

export const roiPoolConfig: KernelConfig = {
  kernelName: RoIPool,
  backendName: 'cpu',
  kernelFunc: roiPool as unknown as KernelFunc,
};
