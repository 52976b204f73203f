import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {PsRoIPoolAttrs, PsRoIPoolGrad, RoIGradInputs} from '../../src/kernel_names';
import {cpuValues} from './cpu_data';
import {visitPsPoolBins} from './ps_roi_pool_bins';

/** dx: each bin spreads dy / area over the pixels the forward averaged. */
export function psRoiPoolGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: PsRoIPoolAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const [, , width, channels] = x.shape;
  const stride = attrs.pooledHeight * attrs.pooledWidth;
  const outChannels = channels / stride;
  const dx = new Float32Array(cpuValues(backend, x).length);
  const dyValues = cpuValues(backend, dy);
  visitPsPoolBins(x.shape, attrs, cpuValues(backend, boxes), cpuValues(backend, boxIndices), bin => {
    for (let c = 0; c < outChannels; c++) {
      const share = dyValues[bin.outOffset + c] / bin.area;
      for (let h = bin.h0; h < bin.h1; h++) {
        const row = bin.base + h * width * channels + c * stride;
        for (let w = bin.w0; w < bin.w1; w++) dx[row + w * channels] += share;
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
