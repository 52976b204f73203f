/**
 * The cpu kernels' view of RoIAlignRotated: every bin of every readable box
 * with its samples as BinSamples (flat corner offsets in x and per-axis
 * weights), built from src/geometry.ts rotatedBoxSamples, so forward and
 * backward share it.
 */
import {rotatedBoxSamples} from '../../src/geometry';
import type {RotatedBoxSamples, RotatedGeometry} from '../../src/geometry';
import type {RoIAlignRotatedAttrs} from '../../src/kernel_names';
import {alignGeometry} from './roi_align_samples';
import type {BinSample} from './roi_align_samples';

/** The geometry of a rotated call on the cpu: x is [N,H,W,C]. */
export function rotatedGeometry(xShape: number[], attrs: RoIAlignRotatedAttrs): RotatedGeometry {
  const {angleUnit, clockwise} = attrs;
  return {...alignGeometry(xShape, {...attrs, aligned: true, mode: 'avg'}), angleUnit, clockwise};
}

export interface RotatedBinVisit {
  box: RotatedBoxSamples;
  k: number;
  /** The bin's offset in y / dy ([K,outH,outW,C]). */
  binOffset: number;
  /** The bin's samples; `row` holds each one's index into box.dRow / box.dCol. */
  samples: BinSample[];
}

/** The bilinear value of an inside sample in channel c. */
export function sampleValue(x: ArrayLike<number>, s: BinSample, c: number): number {
  return s.wy0 * (s.wx0 * x[s.o00 + c] + s.wx1 * x[s.o01 + c]) +
      s.wy1 * (s.wx0 * x[s.o10 + c] + s.wx1 * x[s.o11 + c]);
}

/**
 * Calls `visit` for every bin of every box that reads something. Boxes that
 * read nothing are skipped: their output stays 0 and they pass no gradient.
 */
export function visitRotatedBins(
    g: RotatedGeometry, channels: number, boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    visit: (v: RotatedBinVisit) => void): void {
  const imageSize = g.height * g.width * channels;
  const rowStride = g.width * channels;
  for (let k = 0; k < boxIndices.length; k++) {
    const box = rotatedBoxSamples(g, boxes, boxIndices, k);
    if (box === null) continue;
    const imageBase = box.batch * imageSize;
    const perBin = box.gridH * box.gridW;
    for (let bin = 0; bin < g.pooledHeight * g.pooledWidth; bin++) {
      const samples: BinSample[] = [];
      for (let i = bin * perBin; i < (bin + 1) * perBin; i++) {
        const row = box.row[i], col = box.col[i];
        const inside = row.inside && col.inside;
        const rowLow = imageBase + row.low * rowStride, rowHigh = imageBase + row.high * rowStride;
        const colLow = col.low * channels, colHigh = col.high * channels;
        samples.push({
          inside, row: i, col: i,
          o00: rowLow + colLow, o01: rowLow + colHigh, o10: rowHigh + colLow, o11: rowHigh + colHigh,
          wy0: row.lowWeight, wy1: row.highWeight, wx0: col.lowWeight, wx1: col.highWeight,
        });
      }
      visit({box, k, binOffset: (k * g.pooledHeight * g.pooledWidth + bin) * channels, samples});
    }
  }
}
