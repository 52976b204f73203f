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
   * Each step of an iteration shows the same object, refilled: use a sample
   * within its step only.
   */
  samples: Iterable<BinSample>;
}

/**
 * A rotated bin's samples as BinSamples, made one at a time from the bin's
 * tables as they are iterated: a bin may hold a million samples, and an
 * object each would cost more in garbage collection than the arithmetic.
 */
class RotatedSampleList implements Iterable<BinSample> {
  table: RotatedBinSamples|null = null;
  imageBase = 0;
  constructor(private readonly rowStride: number, private readonly channels: number) {}

  [Symbol.iterator](): Iterator<BinSample> {
    const t = this.table!, {rowStride, channels, imageBase} = this;
    const s: BinSample = {inside: false, row: 0, col: 0, o00: 0, o01: 0, o10: 0, o11: 0, wy0: 0.5, wy1: 0.5, wx0: 0.5, wx1: 0.5};
    const step = {done: false, value: s};
    let i = 0;
    return {
      next(): IteratorResult<BinSample> {
        if (i >= t.n) return {done: true, value: undefined};
        const rowLow = imageBase + t.rowLow[i] * rowStride, rowHigh = imageBase + t.rowHigh[i] * rowStride;
        const colLow = t.colLow[i] * channels, colHigh = t.colHigh[i] * channels;
        s.inside = t.inside[i] === 1;
        s.row = s.col = i;
        s.o00 = rowLow + colLow;
        s.o01 = rowLow + colHigh;
        s.o10 = rowHigh + colLow;
        s.o11 = rowHigh + colHigh;
        s.wy0 = t.rowLowWeight[i];
        s.wy1 = t.rowHighWeight[i];
        s.wx0 = t.colLowWeight[i];
        s.wx1 = t.colHighWeight[i];
        i++;
        return step;
      },
    };
  }
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
  const samples = new RotatedSampleList(g.width * channels, channels);
  let table: RotatedBinSamples|undefined;
  for (let k = 0; k < boxIndices.length; k++) {
    const frame = rotatedBoxFrame(g, boxes, boxIndices, k);
    if (frame === null || frame.gridH * frame.gridW === 0) continue;
    samples.imageBase = frame.batch * imageSize;
    for (let ph = 0; ph < g.pooledHeight; ph++) {
      for (let pw = 0; pw < g.pooledWidth; pw++) {
        table = rotatedBinSamples(g, frame, ph, pw, table);
        samples.table = table;
        const box = {count: frame.count, dRow: table.dRow, dCol: table.dCol};
        visit({box, k, binOffset: ((k * g.pooledHeight + ph) * g.pooledWidth + pw) * channels, samples});
      }
    }
  }
}
