import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignAttrs, RoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {cpuValues} from './cpu_data';
import {alignGeometry, binMax, BinSample, visitAlignBins} from './roi_align_samples';

/** Adds g times each corner's weight to the corners of sample s in channel c. */
function scatter(dx: Float32Array, s: BinSample, c: number, g: number) {
  const gy0 = g * s.wy0, gy1 = g * s.wy1;
  dx[s.o00 + c] += gy0 * s.wx0;
  dx[s.o01 + c] += gy0 * s.wx1;
  dx[s.o10 + c] += gy1 * s.wx0;
  dx[s.o11 + c] += gy1 * s.wx1;
}

/**
 * dx: 'avg' spreads dy / count over the corners of every sample, 'max' sends
 * dy to the corners of the winning sample.
 */
export function roiAlignGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {dy, x, boxes, boxIndices} = inputs;
  const channels = x.shape[3];
  const xValues = cpuValues(backend, x);
  const dyValues = cpuValues(backend, dy);
  const dx = new Float32Array(xValues.length);
  const best = new Float64Array(channels);
  const winner = new Int32Array(channels);

  visitAlignBins(
      alignGeometry(x.shape, attrs), channels, cpuValues(backend, boxes),
      cpuValues(backend, boxIndices), ({box, binOffset, bin}) => {
        if (attrs.mode === 'max') {
          binMax(xValues, bin, channels, best, winner);
          for (let c = 0; c < channels; c++) {
            const s = winner[c] >= 0 ? bin.samples[winner[c]] : null;
            if (s !== null && s.inside) scatter(dx, s, c, dyValues[binOffset + c]);
          }
          return;
        }
        for (let i = 0; i < bin.count; i++) {
          const s = bin.samples[i];
          if (!s.inside) continue;
          const scale = 1 / box.count;
          const w00 = scale * s.wy0 * s.wx0, w01 = scale * s.wy0 * s.wx1;
          const w10 = scale * s.wy1 * s.wx0, w11 = scale * s.wy1 * s.wx1;
          const {o00, o01, o10, o11} = s;
          for (let c = 0; c < channels; c++) {
            const g = dyValues[binOffset + c];
            dx[o00 + c] += w00 * g;
            dx[o01 + c] += w01 * g;
            dx[o10 + c] += w10 * g;
            dx[o11 + c] += w11 * g;
          }
        }
      });
  return backend.makeTensorInfo(x.shape, 'float32', dx);
}

export const roiAlignGradConfig: KernelConfig = {
  kernelName: RoIAlignGrad,
  backendName: 'cpu',
  kernelFunc: roiAlignGrad as unknown as KernelFunc,
};
