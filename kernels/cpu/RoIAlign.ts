import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {cpuValues} from './cpu_data';
import {alignGeometry, binMax, visitAlignBins} from './roi_align_samples';

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
            // The corner weights do not depend on the channel: hoisted.
            const w00 = s.wy0 * s.wx0, w01 = s.wy0 * s.wx1;
            const w10 = s.wy1 * s.wx0, w11 = s.wy1 * s.wx1;
            const {o00, o01, o10, o11} = s;
            for (let c = 0; c < channels; c++) {
              acc[c] += w00 * xValues[o00 + c] + w01 * xValues[o01 + c] +
                  w10 * xValues[o10 + c] + w11 * xValues[o11 + c];
            }
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
