import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {cpuValues} from './cpu_data';
import {alignGeometry, binMax, sampleValue, visitAlignBins} from './roi_align_samples';

export function roiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes, boxIndices} = inputs;
  const channels = x.shape[3];
  const numBoxes = boxes.shape[0];
  const xValues = cpuValues(backend, x);
  const out = new Float32Array(numBoxes * attrs.pooledHeight * attrs.pooledWidth * channels);
  const acc = new Float64Array(channels);
  const winner = new Int32Array(channels);

  visitAlignBins(
      alignGeometry(x.shape, attrs), channels, cpuValues(backend, boxes),
      cpuValues(backend, boxIndices), ({box, binOffset, bin}) => {
        if (attrs.mode === 'max') {
          binMax(xValues, bin, channels, acc, winner);
        } else {
          acc.fill(0);
          for (let i = 0; i < bin.count; i++) {
            const s = bin.samples[i];
            if (!s.inside) continue;
            for (let c = 0; c < channels; c++) acc[c] += sampleValue(xValues, s, c);
          }
          for (let c = 0; c < channels; c++) acc[c] /= box.count;
        }
        out.set(acc, binOffset);
      });
  return backend.makeTensorInfo(
      [numBoxes, attrs.pooledHeight, attrs.pooledWidth, channels], 'float32', out);
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'cpu',
  kernelFunc: roiAlign as unknown as KernelFunc,
};
