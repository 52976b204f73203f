import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignAttrs, RoIAlignBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import type {AlignBoxSamples} from '../../src/geometry';
import {roiGradValues} from './cpu_data';
import {alignGeometry, binMax, BinSample, visitAlignBins} from './roi_align_samples';
import {addBinBoxGrad, BinDots, pixelDots, toFloat32, visitAlignBinPixels} from './roi_align_taps';
import {cpuWasmAllowed, simdChannelLoops} from './wasm_simd';

/** d(sample value) / d(row position) in channel c. */
export function slopeAlongRows(x: ArrayLike<number>, s: BinSample, c: number) {
  return s.wx0 * (x[s.o10 + c] - x[s.o00 + c]) + s.wx1 * (x[s.o11 + c] - x[s.o01 + c]);
}

/** d(sample value) / d(column position) in channel c. */
export function slopeAlongCols(x: ArrayLike<number>, s: BinSample, c: number) {
  return s.wy0 * (x[s.o01 + c] - x[s.o00 + c]) + s.wy1 * (x[s.o11 + c] - x[s.o10 + c]);
}

/**
 * dboxes [K,4]: the chain rule through the sample positions. Each sample's
 * position moves linearly with the box's start and end (geometry dStart,
 * dEnd), and its value moves with the slope of the bilinear patch it lies in.
 */
export function roiAlignBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes} = inputs;
  const {x: xValues, dy: dyValues, boxes: boxValues, boxIndices: indexValues} = roiGradValues(backend, inputs);
  const channels = x.shape[3];
  const dboxes = new Float64Array(boxes.shape[0] * 4);
  const best = new Float64Array(channels);
  const winner = new Int32Array(channels);

  const addSample = (
      box: AlignBoxSamples, k: number, s: BinSample, alongRows: number,
      alongCols: number) => {
    // boxes are (x1, y1, x2, y2): columns are x, rows are y.
    dboxes[4 * k] += alongCols * box.x.dStart[s.col];
    dboxes[4 * k + 1] += alongRows * box.y.dStart[s.row];
    dboxes[4 * k + 2] += alongCols * box.x.dEnd[s.col];
    dboxes[4 * k + 3] += alongRows * box.y.dEnd[s.row];
  };

  const g = alignGeometry(x.shape, attrs);
  if (attrs.mode === 'max') {
    visitAlignBins(g, channels, boxValues, indexValues, ({box, k, binOffset, bin}) => {
      binMax(xValues, bin, channels, best, winner);
      for (let c = 0; c < channels; c++) {
        const s = winner[c] >= 0 ? bin.samples[winner[c]] : null;
        if (s === null || !s.inside) continue;
        const grad = dyValues[binOffset + c];
        addSample(box, k, s, grad * slopeAlongRows(xValues, s, c), grad * slopeAlongCols(xValues, s, c));
      }
    });
  } else {
    // 'avg' is separable: see addBinBoxGrad.
    const dots = new BinDots();
    const simd = cpuWasmAllowed() ? simdChannelLoops(xValues, channels, g.height * g.width) : null;
    const first = simd === null ? 0 : simd.quadChannels;
    visitAlignBinPixels(g, channels, boxValues, indexValues, (box, k, binOffset, bin) => {
      pixelDots(xValues, bin, first, channels, dyValues, binOffset, dots.reserve(bin));
      simd?.pixelDots(bin.offset, bin.count, dyValues, binOffset, dots.values);
      addBinBoxGrad(box, k, bin, dots.values, dboxes);
    });
  }
  return backend.makeTensorInfo(boxes.shape, 'float32', toFloat32(dboxes));
}

export const roiAlignBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignBoxGrad,
  backendName: 'cpu',
  kernelFunc: roiAlignBoxGrad as unknown as KernelFunc,
};
