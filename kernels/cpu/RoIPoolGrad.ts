import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIGradInputs, RoIPoolAttrs, RoIPoolGrad} from '../../src/kernel_names';
import {cpuValues} from './cpu_data';
import {visitPoolBins} from './roi_pool_bins';

/** dx: each bin's dy goes to the pixel that won its max, per channel. */
export function roiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: RoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const xValues = cpuValues(backend, x);
  const dyValues = cpuValues(backend, dy);
  const dx = new Float32Array(xValues.length);
  visitPoolBins(
      x.shape, attrs, xValues, cpuValues(backend, boxes), cpuValues(backend, boxIndices),
      (binOffset, _, argmax) => {
        for (let c = 0; c < argmax.length; c++) {
          if (argmax[c] >= 0) dx[argmax[c]] += dyValues[binOffset + c];
        }
      });
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

export const roiPoolGradConfig: KernelConfig = {
  kernelName: RoIPoolGrad,
  backendName: 'cpu',
  kernelFunc: roiPoolGrad as unknown as KernelFunc,
};
