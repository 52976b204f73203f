import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignAttrs, RoIAlignGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {alignGeometry, binMax, BinSample, visitAlignBins} from './roi_align_samples';
import {scatterWeighted, visitAlignBinPixels} from './roi_align_taps';
import {cpuWasmAllowed, simdChannelLoops} from './wasm_simd';

/** Adds g times each corner's weight to the corners of sample s in channel c. */
export function scatter(dx: Float32Array, s: BinSample, c: number, g: number) {
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
  const {x} = inputs;
  const {x: xValues, dy: dyValues, boxes: boxValues, boxIndices: indexValues} = roiGradValues(backend, inputs);
  const channels = x.shape[3];
  const g = alignGeometry(x.shape, attrs);
  if (attrs.mode === 'max') {
    const dx = new Float32Array(xValues.length);
    const best = new Float64Array(channels);
    const winner = new Int32Array(channels);
    visitAlignBins(g, channels, boxValues, indexValues, ({binOffset, bin}) => {
      binMax(xValues, bin, channels, best, winner);
      for (let c = 0; c < channels; c++) {
        const s = winner[c] >= 0 ? bin.samples[winner[c]] : null;
        if (s !== null && s.inside) scatter(dx, s, c, dyValues[binOffset + c]);
      }
    });
    return backend.makeTensorInfo(x.shape, 'float32', dx);
  }
  // dx gathers in the SIMD loops' memory when they run, and is copied out once.
  const simd = cpuWasmAllowed() ? simdChannelLoops(xValues.length, channels, g.height * g.width) : null;
  const dx = simd === null ? new Float32Array(xValues.length) : simd.values;
  const first = simd === null ? 0 : simd.quadChannels;
  visitAlignBinPixels(g, channels, boxValues, indexValues, (_box, _k, binOffset, bin) => {
    simd?.scatterWeighted(bin.offset, bin.weight, bin.count, dyValues, binOffset);
    scatterWeighted(dx, bin, first, channels, dyValues, binOffset);
  });
  return backend.makeTensorInfo(x.shape, 'float32', simd === null ? dx : dx.slice());
}

export const roiAlignGradConfig: KernelConfig = {
  kernelName: RoIAlignGrad,
  backendName: 'cpu',
  kernelFunc: roiAlignGrad as unknown as KernelFunc,
};
