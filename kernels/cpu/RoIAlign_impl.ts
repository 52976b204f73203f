import type {RoIAlignAttrs} from '../../src/kernel_names';
import {outputArray, RoIImplInputs} from './roi_impl_inputs';
import {alignGeometry, binMax, visitAlignBins} from './roi_align_samples';
import {visitAlignBinPixels, weightedSum, weightedSumChannels} from './roi_align_taps';
import {cpuWasmAllowed, simdChannelLoops} from './wasm_simd';

/** RoIAlign's y [K,outH,outW,C], into `out` when given. */
export function roiAlignImpl(
    {x, xShape, boxes, boxIndices}: RoIImplInputs, attrs: RoIAlignAttrs, out?: Float32Array): Float32Array {
  const channels = xShape[3];
  const y = outputArray(out, boxIndices.length * attrs.pooledHeight * attrs.pooledWidth * channels);
  const acc = new Float64Array(channels);
  const winner = new Int32Array(channels);

  const g = alignGeometry(xShape, attrs);
  if (attrs.mode === 'max') {
    visitAlignBins(g, channels, boxes, boxIndices, ({binOffset, bin}) => {
      binMax(x, bin, channels, acc, winner);
      // A loop: a float64-to-float32 TypedArray.set is slow in V8.
      for (let c = 0; c < channels; c++) y[binOffset + c] = acc[c];
    });
  } else {
    // A bin's taps are distinct pixels of one image: at most height * width.
    const simd = cpuWasmAllowed() ? simdChannelLoops(x, channels, g.height * g.width) : null;
    visitAlignBinPixels(g, channels, boxes, boxIndices, (_box, _k, binOffset, bin) => {
      if (simd === null) {
        weightedSum(x, bin, channels, acc, y, binOffset);
      } else {
        simd.weightedSum(bin.offset, bin.weight, bin.count, y, binOffset);
        weightedSumChannels(x, bin, simd.quadChannels, channels, y, binOffset);
      }
    });
  }
  return y;
}
