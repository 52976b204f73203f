import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {PsRoIPool, PsRoIPoolAttrs, RoIInputs} from '../../src/kernel_names';
import {cpuValues} from './cpu_data';
import {visitPsPoolBins} from './ps_roi_pool_bins';

/** y: the mean of each bin's pixels in each output channel's input channel. */
export function psRoiPool(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes, boxIndices} = inputs;
  const [, , width, channels] = x.shape;
  const stride = attrs.pooledHeight * attrs.pooledWidth;
  const shape = [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, channels / stride];
  const out = new Float32Array(shape[0] * shape[1] * shape[2] * shape[3]);
  const xValues = cpuValues(backend, x) as Float32Array;
  visitPsPoolBins(x.shape, attrs, cpuValues(backend, boxes), cpuValues(backend, boxIndices), bin => {
    for (let c = 0; c < shape[3]; c++) {
      let sum = 0;
      for (let h = bin.h0; h < bin.h1; h++) {
        const row = bin.base + h * width * channels + c * stride;
        for (let w = bin.w0; w < bin.w1; w++) sum += xValues[row + w * channels];
      }
      out[bin.outOffset + c] = sum / bin.area;
    }
  });
  return backend.makeTensorInfo(shape, 'float32', out);
}

export const psRoiPoolConfig: KernelConfig = {
  kernelName: PsRoIPool,
  backendName: 'cpu',
  kernelFunc: psRoiPool as unknown as KernelFunc,
};
