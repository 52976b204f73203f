import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {psInputChannel} from '../../src/geometry';
import {PsRoIPoolAttrs, PsRoIPoolGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {visitPoolBins} from './roi_pool_bins';

/** dx: each bin spreads dy / area over the pixels the forward averaged. */
export function psRoiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x} = inputs;
  const {x: xValues, dy: dyValues, boxes: boxValues, boxIndices: indexValues} = roiGradValues(backend, inputs);
  const [, , width, channels] = x.shape;
  const {pooledHeight, pooledWidth} = attrs;
  const outChannels = channels / (pooledHeight * pooledWidth);
  const dx = new Float32Array(xValues.length);
  visitPoolBins(x.shape, attrs, boxValues, indexValues, true, bin => {
    const area = (bin.h1 - bin.h0) * (bin.w1 - bin.w0);
    for (let c = 0; c < outChannels; c++) {
      const base = bin.imageBase + psInputChannel(c, bin.ph, bin.pw, pooledHeight, pooledWidth);
      const share = dyValues[bin.index * outChannels + c] / area;
      for (let h = bin.h0; h < bin.h1; h++) {
        for (let w = bin.w0; w < bin.w1; w++) dx[base + (h * width + w) * channels] += share;
      }
    }
  });
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

export const psRoiPoolGradConfig: KernelConfig = {
  kernelName: PsRoIPoolGrad,
  backendName: 'cpu',
  kernelFunc: psRoiPoolGrad as unknown as KernelFunc,
};
