/**
 * The cpu kernels' view of one RoIAlign bin: its samples, each with the flat
 * offsets of its four corners in x and their bilinear weights. Built from the
 * per-axis tables of src/geometry.ts, so forward and backward share it.
 */
import {alignBoxSamples} from '../../src/geometry';
import type {AlignBoxSamples, AlignGeometry} from '../../src/geometry';
import type {RoIAlignAttrs} from '../../src/kernel_names';

export interface BinSample {
  /** False for a sample outside the map: its value is 0 and it has no gradient. */
  inside: boolean;
  /** Index into the box's y and x tables (dStart, dEnd). */
  row: number;
  col: number;
  /** Offsets of the corners (low|high row) x (low|high column) in x. */
  o00: number;
  o01: number;
  o10: number;
  o11: number;
  /** Per-axis weights; a corner's weight is the product of its two. */
  wy0: number;
  wy1: number;
  wx0: number;
  wx1: number;
}

/** Reusable storage for the samples of one bin. */
export class BinSamples {
  readonly samples: BinSample[] = [];
  count = 0;

  /**
   * Fills this with bin (ph, pw) of `box`, in torchvision's order (rows
   * outer, columns inner). imageBase is the offset of the box's image in x.
   */
  fill(box: AlignBoxSamples, ph: number, pw: number, imageBase: number,
       width: number, channels: number): void {
    const {y, x} = box;
    this.count = 0;
    for (let iy = 0; iy < y.grid; iy++) {
      const row = ph * y.grid + iy;
      for (let ix = 0; ix < x.grid; ix++) {
        const col = pw * x.grid + ix;
        const s = this.next();
        s.row = row;
        s.col = col;
        s.inside = y.inside[row] === 1 && x.inside[col] === 1;
        if (!s.inside) continue;
        const rowLow = imageBase + y.low[row] * width * channels;
        const rowHigh = imageBase + y.high[row] * width * channels;
        const colLow = x.low[col] * channels, colHigh = x.high[col] * channels;
        s.o00 = rowLow + colLow;
        s.o01 = rowLow + colHigh;
        s.o10 = rowHigh + colLow;
        s.o11 = rowHigh + colHigh;
        s.wy0 = y.lowWeight[row];
        s.wy1 = y.highWeight[row];
        s.wx0 = x.lowWeight[col];
        s.wx1 = x.highWeight[col];
      }
    }
  }

  private next(): BinSample {
    if (this.count === this.samples.length) {
      this.samples.push({
        inside: false, row: 0, col: 0, o00: 0, o01: 0, o10: 0, o11: 0,
        wy0: 0, wy1: 0, wx0: 0, wx1: 0
      });
    }
    return this.samples[this.count++];
  }
}

const BRANCHLESS_SAMPLES = 4;

/** Channel c of the sample with these corners and weights, rounded to float32. */
function bilinear(
    x: ArrayLike<number>, o00: number, o01: number, o10: number, o11: number,
    wy0: number, wy1: number, wx0: number, wx1: number, c: number): number {
  return Math.fround(wy0 * (wx0 * x[o00 + c] + wx1 * x[o01 + c]) + wy1 * (wx0 * x[o10 + c] + wx1 * x[o11 + c]));
}

/**
 * 'max' mode: for every channel, the index of the sample with the largest
 * value (the first one on ties, outside samples counting as 0) and that value.
 * An empty bin leaves winner -1 and best 0.
 *
 * The second to fourth samples replace the running max by arithmetic on
 * +(v > best) instead of a branch, which the CPU would mispredict about as
 * often as the max changes. For finite values that selects exactly as the
 * branch does (a -0 may become +0); an infinite or NaN sample leaves a NaN
 * max, and the bin is redone with branches. Sample i wins with odds near
 * 1 / (i + 1) on random data, so from the fifth on the branch is well
 * predicted and cheaper.
 */
export function binMax(
    x: ArrayLike<number>, bin: BinSamples, channels: number,
    best: Float64Array, winner: Int32Array): void {
  if (!binMaxSelecting(x, bin, channels, best, winner, BRANCHLESS_SAMPLES)) {
    binMaxSelecting(x, bin, channels, best, winner, 1);
  }
}

/**
 * binMax with samples 1 to branchless - 1 selected arithmetically; false
 * when that left a NaN max that the branches might not (then redo with 1).
 */
function binMaxSelecting(
    x: ArrayLike<number>, bin: BinSamples, channels: number,
    best: Float64Array, winner: Int32Array, branchless: number): boolean {
  if (bin.count === 0) {
    best.fill(0);
    winner.fill(-1);
    return true;
  }
  // Compared as float32, as mmcv and the GPU kernels hold them, so that
  // values equal in float32 tie (and the first wins) on every backend.
  for (let i = 0; i < bin.count; i++) {
    // An outside sample is the value 0; its corner offsets are stale.
    const {inside, o00, o01, o10, o11, wy0, wy1, wx0, wx1} = bin.samples[i];
    if (i === 0) {
      for (let c = 0; c < channels; c++) {
        best[c] = inside ? bilinear(x, o00, o01, o10, o11, wy0, wy1, wx0, wx1, c) : 0;
        winner[c] = 0;
      }
    } else if (i < branchless) {
      for (let c = 0; c < channels; c++) {
        const v = inside ? bilinear(x, o00, o01, o10, o11, wy0, wy1, wx0, wx1, c) : 0;
        const m = best[c], wins = +(v > m);
        best[c] = wins * v + (1 - wins) * m;
        winner[c] ^= (winner[c] ^ i) & (0 - wins);
      }
    } else {
      for (let c = 0; c < channels; c++) {
        const v = inside ? bilinear(x, o00, o01, o10, o11, wy0, wy1, wx0, wx1, c) : 0;
        if (v > best[c]) {
          best[c] = v;
          winner[c] = i;
        }
      }
    }
  }
  if (branchless <= 1) return true;
  let sum = 0;
  for (let c = 0; c < channels; c++) sum += best[c];
  return sum === sum;
}

export interface AlignBinVisit {
  box: AlignBoxSamples;
  /** Box number, and the bin's offset in y / dy ([K,outH,outW,C]). */
  k: number;
  binOffset: number;
  bin: BinSamples;
}

/**
 * Calls `visit` for every bin of every box that reads something, with the
 * bin's samples filled in. Boxes that read nothing are skipped: their output
 * stays 0 and they pass no gradient.
 */
export function visitAlignBins(
    g: AlignGeometry, channels: number, boxes: ArrayLike<number>,
    boxIndices: ArrayLike<number>, visit: (v: AlignBinVisit) => void): void {
  const numBoxes = boxIndices.length;
  const bin = new BinSamples();
  const imageSize = g.height * g.width * channels;
  let reused: AlignBoxSamples|null = null;
  for (let k = 0; k < numBoxes; k++) {
    const box = alignBoxSamples(g, boxes, boxIndices, k, reused);
    if (box === null) continue;
    reused = box;
    const imageBase = box.batch * imageSize;
    for (let ph = 0; ph < g.pooledHeight; ph++) {
      for (let pw = 0; pw < g.pooledWidth; pw++) {
        bin.fill(box, ph, pw, imageBase, g.width, channels);
        const binOffset = ((k * g.pooledHeight + ph) * g.pooledWidth + pw) * channels;
        visit({box, k, binOffset, bin});
      }
    }
  }
}

/** The geometry of a RoIAlign call on the cpu: x is [N,H,W,C]. */
export function alignGeometry(xShape: number[], attrs: RoIAlignAttrs): AlignGeometry {
  return {
    batch: xShape[0],
    height: xShape[1],
    width: xShape[2],
    pooledHeight: attrs.pooledHeight,
    pooledWidth: attrs.pooledWidth,
    spatialScale: attrs.spatialScale,
    samplingRatio: attrs.samplingRatio,
    aligned: attrs.aligned,
  };
}
