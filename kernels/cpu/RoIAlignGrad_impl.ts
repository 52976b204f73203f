import type {RoIAlignAttrs} from '../../src/kernel_names';
import {outputArray} from './roi_impl_inputs';
import {alignGeometry, BinSample, visitAlignBins} from './roi_align_samples';
import {alignWinners, RoIAlignGradImplInputs, winningSample} from './RoIAlignWinners_impl';
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
 * dx [N,H,W,C], into `out` when given: 'avg' spreads dy / count over the
 * corners of every sample, 'max' sends dy to the corners of the winning sample
 * (values.winners, or found here).
 */
export function roiAlignGradImpl(
    values: RoIAlignGradImplInputs, attrs: RoIAlignAttrs, out?: Float32Array): Float32Array {
  const {x, xShape, dy, boxes, boxIndices} = values;
  const channels = xShape[3];
  const g = alignGeometry(xShape, attrs);
  if (attrs.mode === 'max') {
    const winners = alignWinners(values, attrs);
    const dx = outputArray(out, x.length);
    visitAlignBins(g, channels, boxes, boxIndices, ({binOffset, bin}) => {
      for (let c = 0; c < channels; c++) {
        const s = winningSample(bin, winners[binOffset + c]);
        if (s !== null) scatter(dx, s, c, dy[binOffset + c]);
      }
    });
    return dx;
  }
  // dx gathers in the SIMD loops' memory when they run, and is copied out once.
  const simd = cpuWasmAllowed() ? simdChannelLoops(x.length, channels, g.height * g.width) : null;
  const dx = simd === null ? outputArray(out, x.length) : simd.values;
  const first = simd === null ? 0 : simd.quadChannels;
  visitAlignBinPixels(g, channels, boxes, boxIndices, (_box, _k, binOffset, bin) => {
    simd?.scatterWeighted(bin.offset, bin.weight, bin.count, dy, binOffset);
    scatterWeighted(dx, bin, first, channels, dy, binOffset);
  });
  if (simd === null) return dx;
  if (out === undefined) return dx.slice();
  out.set(dx);
  return out;
}
