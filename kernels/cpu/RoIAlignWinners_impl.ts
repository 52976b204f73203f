import type {RoIAlignAttrs} from '../../src/kernel_names';
import {RoIGradImplInputs, RoIImplInputs} from './roi_impl_inputs';
import {alignGeometry, binMax, BinSample, BinSamples, visitAlignBins} from './roi_align_samples';

/** A RoIAlign gradient's inputs, with 'max' mode's winners when the caller has them. */
export interface RoIAlignGradImplInputs extends RoIGradImplInputs {
  /** RoIAlignWinners' output for the same inputs: see RoIAlignGradInputs. */
  winners?: Int32Array;
}

/**
 * RoIAlignWinners' int32 [K,outH,outW,C], into `out` when given: each bin's
 * max sample per channel, as binMax picks it, or -1 where it passes no
 * gradient (outside the map, an empty bin, an unreadable box).
 */
export function roiAlignWinnersImpl(
    {x, xShape, boxes, boxIndices}: RoIImplInputs, attrs: RoIAlignAttrs, out?: Int32Array): Int32Array {
  const channels = xShape[3];
  const size = boxIndices.length * attrs.pooledHeight * attrs.pooledWidth * channels;
  if (out !== undefined && out.length !== size) throw new Error(`output array has ${out.length} values, expected ${size}`);
  // Unreadable boxes are not visited: their bins keep -1.
  const winners = (out ?? new Int32Array(size)).fill(-1);
  const best = new Float64Array(channels);
  const winner = new Int32Array(channels);
  visitAlignBins(alignGeometry(xShape, attrs), channels, boxes, boxIndices, ({binOffset, bin}) => {
    binMax(x, bin, channels, best, winner);
    for (let c = 0; c < channels; c++) {
      const w = winner[c];
      winners[binOffset + c] = w >= 0 && bin.samples[w].inside ? w : -1;
    }
  });
  return winners;
}

/** The winners the caller gave, or computed here (see RoIAlignGradInputs). */
export function alignWinners(values: RoIAlignGradImplInputs, attrs: RoIAlignAttrs): Int32Array {
  return values.winners ?? roiAlignWinnersImpl(values, attrs);
}

/**
 * The sample of `bin` that winners names, or null when it passes no
 * gradient. A caller's winners are not trusted to be in range.
 */
export function winningSample(bin: BinSamples, w: number): BinSample|null {
  if (!(w >= 0 && w < bin.count)) return null;
  const s = bin.samples[w];
  return s.inside ? s : null;
}
