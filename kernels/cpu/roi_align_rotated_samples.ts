/**
 * The cpu kernels' view of RoIAlignRotated: every bin of every readable box
 * with its samples as BinSamples (flat corner offsets in x and per-axis
 * weights), built from src/geometry.ts rotatedBoxFrame and rotatedBinSamples,
 * so forward and backward share it. One bin's samples are held at a time:
 * the cap on samples per bin bounds the storage, whatever the output size.
 */
import {rotatedBinSamples, rotatedBoxFrame} from '../../src/geometry';
import type {RotatedBinSamples, RotatedGeometry} from '../../src/geometry';
import type {RoIAlignRotatedAttrs} from '../../src/kernel_names';
import {alignGeometry} from './roi_align_samples';
import type {BinSample} from './roi_align_samples';

/** The geometry of a rotated call on the cpu: x is [N,H,W,C]. */
export function rotatedGeometry(xShape: number[], attrs: RoIAlignRotatedAttrs): RotatedGeometry {
  const {angleUnit, clockwise} = attrs;
  return {...alignGeometry(xShape, {...attrs, aligned: true, mode: 'avg'}), angleUnit, clockwise};
}

/** What the kernels need of a bin's box: the mean's divisor and the sample positions' derivatives. */
export interface RotatedBinBox {
  /** max(gridH * gridW, 1). */
  count: number;
  /** d(row) and d(column) / d(cx, cy, w, h, angle), five per sample of the bin. */
  dRow: Float64Array;
  dCol: Float64Array;
}

export interface RotatedBinVisit {
  box: RotatedBinBox;
  k: number;
  /** The bin's offset in y / dy ([K,outH,outW,C]). */
  binOffset: number;
  /**
   * The bin's samples; `row` holds each one's index into box.dRow / box.dCol.
   * Valid during the visit only: the next bin reuses the storage.
   */
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
  let table: RotatedBinSamples|undefined;
  const pool: BinSample[] = [];
  const samples: BinSample[] = [];
  for (let k = 0; k < boxIndices.length; k++) {
    const frame = rotatedBoxFrame(g, boxes, boxIndices, k);
    if (frame === null || frame.gridH * frame.gridW === 0) continue;
    const imageBase = frame.batch * imageSize;
    for (let ph = 0; ph < g.pooledHeight; ph++) {
      for (let pw = 0; pw < g.pooledWidth; pw++) {
        table = rotatedBinSamples(g, frame, ph, pw, table);
        samples.length = table.n;
        for (let i = 0; i < table.n; i++) {
          const row = table.row[i], col = table.col[i];
          const rowLow = imageBase + row.low * rowStride, rowHigh = imageBase + row.high * rowStride;
          const colLow = col.low * channels, colHigh = col.high * channels;
          const s = pool[i] ?? (pool[i] = {
            inside: false, row: 0, col: 0, o00: 0, o01: 0, o10: 0, o11: 0, wy0: 0, wy1: 0, wx0: 0, wx1: 0,
          });
          s.inside = row.inside && col.inside;
          s.row = s.col = i;
          s.o00 = rowLow + colLow;
          s.o01 = rowLow + colHigh;
          s.o10 = rowHigh + colLow;
          s.o11 = rowHigh + colHigh;
          s.wy0 = row.lowWeight;
          s.wy1 = row.highWeight;
          s.wx0 = col.lowWeight;
          s.wx1 = col.highWeight;
          samples[i] = s;
        }
        const box = {count: frame.count, dRow: table.dRow, dCol: table.dCol};
        visit({box, k, binOffset: ((k * g.pooledHeight + ph) * g.pooledWidth + pw) * channels, samples});
      }
    }
  }
}
