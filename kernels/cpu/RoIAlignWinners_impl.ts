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
export function roiAlignWinnersImpl(values: RoIImplInputs, attrs: RoIAlignAttrs, out?: Int32Array): Int32Array {
  const {pooledHeight, pooledWidth} = attrs;
  const winners = winnersArray(out, values.boxIndices.length * pooledHeight * pooledWidth * values.xShape[3]);
  writeAlignWinners(values, attrs, winners);
  return winners;
}

/** `out` (or a new array) of `size` values, all -1: what a bin that is never visited keeps. */
export function winnersArray(out: Int32Array|undefined, size: number): Int32Array {
  if (out !== undefined && out.length !== size) throw new Error(`output array has ${out.length} values, expected ${size}`);
  return (out ?? new Int32Array(size)).fill(-1);
}

/** RoIImplInputs with the boxes and indices in any array (the FPN pooler's per-level indices). */
type AlignWinnersInputs =
    Omit<RoIImplInputs, 'boxes'|'boxIndices'>&{boxes: ArrayLike<number>, boxIndices: ArrayLike<number>};

/**
 * Writes into `winners` [K,outH,outW,C] the winners of the readable boxes
 * only, leaving the others' bins as they are: so MultiScaleRoIAlignWinners
 * fills one array level by level.
 */
export function writeAlignWinners(
    {x, xShape, boxes, boxIndices}: AlignWinnersInputs, attrs: RoIAlignAttrs, winners: Int32Array): void {
  const channels = xShape[3];
  const best = new Float64Array(channels);
  const winner = new Int32Array(channels);
  visitAlignBins(alignGeometry(xShape, attrs), channels, boxes, boxIndices, ({binOffset, bin}) => {
    binMax(x, bin, channels, best, winner);
    for (let c = 0; c < channels; c++) {
      const w = winner[c];
      winners[binOffset + c] = w >= 0 && bin.samples[w].inside ? w : -1;
    }
  });
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
