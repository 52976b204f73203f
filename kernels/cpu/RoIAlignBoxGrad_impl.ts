import type {AlignBoxSamples} from '../../src/geometry';
import type {RoIAlignAttrs} from '../../src/kernel_names';
import {roundedOutput} from './roi_impl_inputs';
import {alignGeometry, BinSample, visitAlignBins} from './roi_align_samples';
import {alignWinners, RoIAlignGradImplInputs, winningSample} from './RoIAlignWinners_impl';
import {addBinBoxGrad, BinDots, pixelDots, visitAlignBinPixels} from './roi_align_taps';
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
 * dboxes [K,4], into `out` when given: the chain rule through the sample
 * positions. Each sample's position moves linearly with the box's start and
 * end (geometry dStart, dEnd), and its value moves with the slope of the
 * bilinear patch it lies in. 'max' follows the winning samples
 * (values.winners, or found here).
 */
export function roiAlignBoxGradImpl(
    values: RoIAlignGradImplInputs, attrs: RoIAlignAttrs, out?: Float32Array): Float32Array {
  const {x, xShape, dy, boxes, boxIndices} = values;
  const channels = xShape[3];
  const dboxes = new Float64Array(boxIndices.length * 4);

  const addSample = (
      box: AlignBoxSamples, k: number, s: BinSample, alongRows: number,
      alongCols: number) => {
    // boxes are (x1, y1, x2, y2): columns are x, rows are y.
    dboxes[4 * k] += alongCols * box.x.dStart[s.col];
    dboxes[4 * k + 1] += alongRows * box.y.dStart[s.row];
    dboxes[4 * k + 2] += alongCols * box.x.dEnd[s.col];
    dboxes[4 * k + 3] += alongRows * box.y.dEnd[s.row];
  };

  const g = alignGeometry(xShape, attrs);
  if (attrs.mode === 'max') {
    const winners = alignWinners(values, attrs);
    visitAlignBins(g, channels, boxes, boxIndices, ({box, k, binOffset, bin}) => {
      for (let c = 0; c < channels; c++) {
        const s = winningSample(bin, winners[binOffset + c]);
        if (s === null) continue;
        const grad = dy[binOffset + c];
        addSample(box, k, s, grad * slopeAlongRows(x, s, c), grad * slopeAlongCols(x, s, c));
      }
    });
  } else {
    // 'avg' is separable: see addBinBoxGrad.
    const dots = new BinDots();
    const simd = cpuWasmAllowed() ? simdChannelLoops(x, channels, g.height * g.width) : null;
    const first = simd === null ? 0 : simd.quadChannels;
    visitAlignBinPixels(g, channels, boxes, boxIndices, (box, k, binOffset, bin) => {
      pixelDots(x, bin, first, channels, dy, binOffset, dots.reserve(bin));
      simd?.pixelDots(bin.offset, bin.count, dy, binOffset, dots.values);
      addBinBoxGrad(box, k, bin, dots.values, dboxes);
    });
  }
  return roundedOutput(dboxes, out);
}
