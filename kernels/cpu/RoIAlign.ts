import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlign, RoIAlignAttrs, RoIInputs} from '../../src/kernel_names';
import {roiValues} from './cpu_data';
import {alignGeometry, binMax, visitAlignBins} from './roi_align_samples';
import {visitAlignBinPixels, weightedSum, weightedSumChannels} from './roi_align_taps';
import {cpuWasmAllowed, simdChannelLoops} from './wasm_simd';

export function roiAlign(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes} = inputs;
  const {x: xValues, boxes: boxValues, boxIndices: indexValues} = roiValues(backend, inputs);
  const channels = x.shape[3];
  const numBoxes = boxes.shape[0];
  const out = new Float32Array(numBoxes * attrs.pooledHeight * attrs.pooledWidth * channels);
  const acc = new Float64Array(channels);
  const winner = new Int32Array(channels);

  const g = alignGeometry(x.shape, attrs);
  if (attrs.mode === 'max') {
    visitAlignBins(g, channels, boxValues, indexValues, ({binOffset, bin}) => {
      binMax(xValues, bin, channels, acc, winner);
      // A loop: a float64-to-float32 TypedArray.set is slow in V8.
      for (let c = 0; c < channels; c++) out[binOffset + c] = acc[c];
    });
  } else {
    // A bin's taps are distinct pixels of one image: at most height * width.
    const simd = cpuWasmAllowed() ? simdChannelLoops(xValues, channels, g.height * g.width) : null;
    visitAlignBinPixels(g, channels, boxValues, indexValues, (_box, _k, binOffset, bin) => {
      if (simd === null) {
        weightedSum(xValues, bin, channels, acc, out, binOffset);
      } else {
        simd.weightedSum(bin.offset, bin.weight, bin.count, out, binOffset);
        weightedSumChannels(xValues, bin, simd.quadChannels, channels, out, binOffset);
      }
    });
  }
  return backend.makeTensorInfo(
      [numBoxes, attrs.pooledHeight, attrs.pooledWidth, channels], 'float32', out);
}

export const roiAlignConfig: KernelConfig = {
  kernelName: RoIAlign,
  backendName: 'cpu',
  kernelFunc: roiAlign as unknown as KernelFunc,
};
