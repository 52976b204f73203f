import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {psInputChannel} from '../../src/geometry';
import {PsRoIPool, PsRoIPoolAttrs, RoIInputs} from '../../src/kernel_names';
import {roiValues} from './cpu_data';
import {visitPoolBins} from './roi_pool_bins';

/** y: the mean of each bin's pixels in each output channel's input channel. */
export function psRoiPool(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes} = inputs;
  const {x: xValues, boxes: boxValues, boxIndices: indexValues} = roiValues(backend, inputs);
  const [, , width, channels] = x.shape;
  const {pooledHeight, pooledWidth} = attrs;
  const stride = pooledHeight * pooledWidth;
  const shape = [boxes.shape[0], pooledHeight, pooledWidth, channels / stride];
  const out = new Float32Array(shape[0] * shape[1] * shape[2] * shape[3]);
  visitPoolBins(x.shape, attrs, boxValues, indexValues, true, bin => {
    const area = (bin.h1 - bin.h0) * (bin.w1 - bin.w0);
    for (let c = 0; c < shape[3]; c++) {
      const base = bin.imageBase + psInputChannel(c, bin.ph, bin.pw, pooledHeight, pooledWidth);
      let sum = 0;
      for (let h = bin.h0; h < bin.h1; h++) {
        for (let w = bin.w0; w < bin.w1; w++) sum += xValues[base + (h * width + w) * channels];
      }
      out[bin.index * shape[3] + c] = sum / area;
    }
  });
  return backend.makeTensorInfo(shape, 'float32', out);
}

export const psRoiPoolConfig: KernelConfig = {
  kernelName: PsRoIPool,
  backendName: 'cpu',
  kernelFunc: psRoiPool as unknown as KernelFunc,
};
