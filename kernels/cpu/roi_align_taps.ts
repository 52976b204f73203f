/**
 * The cpu kernels' 'avg' path: each bin as a short list of (flat offset of a
 * pixel in x, weight) pairs built from the per-axis taps of src/geometry.ts,
 * and the channel loops over them. The loops take the pairs four at a time so
 * that one pass over the channels does four multiply-adds per load and store
 * of the accumulator.
 */
import {alignBoxSamples, axisBinTaps} from '../../src/geometry';
import type {AlignBoxSamples, AlignGeometry, AxisBinTaps} from '../../src/geometry';

export interface AlignBoxTaps {
  batch: number;
  y: AxisBinTaps;
  x: AxisBinTaps;
  /** 1 / max(gridH * gridW, 1): the mean's divisor, folded into weights. */
  invCount: number;
}

/**
 * Box k's taps, or null when the box reads nothing. Returns `reuse` refilled
 * when given: the kernels visit boxes one at a time.
 */
export function alignBoxTaps(
    g: AlignGeometry, boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    k: number, reuse: {samples: AlignBoxSamples|null, taps: AlignBoxTaps|null}): AlignBoxTaps|null {
  const box = alignBoxSamples(g, boxes, boxIndices, k, reuse.samples);
  if (box === null) return null;
  reuse.samples = box;
  const taps: AlignBoxTaps = {
    batch: box.batch,
    y: axisBinTaps(box.y, g.pooledHeight, reuse.taps?.y),
    x: axisBinTaps(box.x, g.pooledWidth, reuse.taps?.x),
    invCount: 1 / box.count,
  };
  reuse.taps = taps;
  return taps;
}

/** Reusable storage for the pixels one bin reads. */
export class BinPixels {
  count = 0;
  offset = new Int32Array(16);
  weight = new Float64Array(16);
  /** The pixel's row and column tap, for the box gradient. */
  rowTap = new Int32Array(16);
  colTap = new Int32Array(16);
  /**
   * 1 where some sample of the bin reads the pixel with weight 0 (its row or
   * its column tap has a zero-weight corner): see zeroWeightNaN.
   */
  zeroTouch = new Uint8Array(16);
  /** Whether any pixel of the bin has zeroTouch. */
  anyZeroTouch = false;

  /**
   * Fills this with the pixels of bin (ph, pw) of `box`, weighted by the
   * product of their taps' weights and the mean's divisor.
   */
  fill(box: AlignBoxTaps, ph: number, pw: number, width: number, channels: number,
       imageBase: number): void {
    const {y, x} = box;
    const r0 = y.first[ph], r1 = y.first[ph + 1];
    const c0 = x.first[pw], c1 = x.first[pw + 1];
    const n = (r1 - r0) * (c1 - c0);
    // Four spare entries: weightedSum reads a full group of four.
    if (n + 4 > this.offset.length) this.grow(n + 4);
    let i = 0, anyZero = 0;
    for (let r = r0; r < r1; r++) {
      const rowBase = imageBase + y.index[r] * width * channels;
      const rowWeight = y.weight[r] * box.invCount;
      const rowZero = y.zero[r];
      for (let c = c0; c < c1; c++) {
        this.offset[i] = rowBase + x.index[c] * channels;
        this.weight[i] = rowWeight * x.weight[c];
        this.rowTap[i] = r;
        this.colTap[i] = c;
        const zero = rowZero | x.zero[c];
        this.zeroTouch[i] = zero;
        anyZero |= zero;
        i++;
      }
    }
    this.count = n;
    this.anyZeroTouch = anyZero === 1;
  }

  private grow(n: number) {
    const size = Math.max(n, 2 * this.offset.length);
    this.offset = new Int32Array(size);
    this.weight = new Float64Array(size);
    this.rowTap = new Int32Array(size);
    this.colTap = new Int32Array(size);
    this.zeroTouch = new Uint8Array(size);
  }
}

/**
 * torchvision sums each sample's four corners, w1 * v1 + ... + w4 * v4, so a
 * corner of weight 0 on an infinite pixel makes the bin NaN (0 x Infinity).
 * The merged weights lose that only where the bin comes out infinite: a
 * finite sum read no infinite pixel, and a NaN one is NaN already. So for
 * each infinite channel of out (channels [0, channels), input channel
 * first + c * stride), this makes it NaN when a pixel read with weight 0 is
 * infinite there. Finite bins cost one test per channel.
 */
export function zeroWeightNaN(
    x: Float32Array, bin: BinPixels, channels: number, out: Float32Array, outOffset: number,
    first = 0, stride = 1): void {
  if (!bin.anyZeroTouch) return;
  for (let c = 0; c < channels; c++) {
    const v = out[outOffset + c];
    if (v - v === 0 || v !== v) continue;
    const channel = first + c * stride;
    for (let i = 0; i < bin.count; i++) {
      if (bin.zeroTouch[i] === 1 && !Number.isFinite(x[bin.offset[i] + channel])) {
        out[outOffset + c] = NaN;
        break;
      }
    }
  }
}

/**
 * out[outOffset + c] = sum over the bin's pixels of weight * x[offset + c],
 * summed in float64. The last (up to four) pixels write out directly: a
 * float64-to-float32 TypedArray.set is an element-by-element slow path in V8.
 */
export function weightedSum(
    x: Float32Array, bin: BinPixels, channels: number, acc: Float64Array,
    out: Float32Array, outOffset: number): void {
  const {offset, weight, count} = bin;
  acc.fill(0);
  let i = 0;
  for (; count - i > 4; i += 4) {
    const o0 = offset[i], o1 = offset[i + 1], o2 = offset[i + 2], o3 = offset[i + 3];
    const w0 = weight[i], w1 = weight[i + 1], w2 = weight[i + 2], w3 = weight[i + 3];
    for (let c = 0; c < channels; c++) {
      acc[c] += w0 * x[o0 + c] + w1 * x[o1 + c] + w2 * x[o2 + c] + w3 * x[o3 + c];
    }
  }
  const rest = count - i;
  const o0 = offset[i], o1 = offset[i + 1], o2 = offset[i + 2], o3 = offset[i + 3];
  const w0 = weight[i], w1 = weight[i + 1], w2 = weight[i + 2], w3 = weight[i + 3];
  if (rest === 4) {
    for (let c = 0; c < channels; c++) {
      out[outOffset + c] =
          acc[c] + w0 * x[o0 + c] + w1 * x[o1 + c] + w2 * x[o2 + c] + w3 * x[o3 + c];
    }
  } else if (rest === 3) {
    for (let c = 0; c < channels; c++) {
      out[outOffset + c] = acc[c] + w0 * x[o0 + c] + w1 * x[o1 + c] + w2 * x[o2 + c];
    }
  } else if (rest === 2) {
    for (let c = 0; c < channels; c++) {
      out[outOffset + c] = acc[c] + w0 * x[o0 + c] + w1 * x[o1 + c];
    }
  } else if (rest === 1) {
    for (let c = 0; c < channels; c++) out[outOffset + c] = acc[c] + w0 * x[o0 + c];
  } else {
    out.fill(0, outOffset, outOffset + channels);
  }
  zeroWeightNaN(x, bin, channels, out, outOffset);
}

/**
 * weightedSum for channels [c0, c1) only, one channel at a time: the channels
 * a SIMD loop leaves over, after it did [0, c0). It ends the bin, so it also
 * applies zeroWeightNaN to all of [0, c1).
 */
export function weightedSumChannels(
    x: Float32Array, bin: BinPixels, c0: number, c1: number, out: Float32Array,
    outOffset: number): void {
  const {offset, weight, count} = bin;
  for (let c = c0; c < c1; c++) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += weight[i] * x[offset[i] + c];
    out[outOffset + c] = sum;
  }
  zeroWeightNaN(x, bin, c1, out, outOffset);
}

/** The float32 rounding of a float64 array, by a loop (see weightedSum). */
export function toFloat32(values: Float64Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

/**
 * dx[offset + c] += weight * dy[dyOffset + c] for each of the bin's pixels,
 * channels [c0, c1). dx is float32 itself: a float64 scratch as large as x
 * would double the fresh memory a call touches, which costs more than the
 * compute on some VMs.
 */
export function scatterWeighted(
    dx: Float32Array, bin: BinPixels, c0: number, c1: number, dy: Float32Array,
    dyOffset: number): void {
  const {offset, weight, count} = bin;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o0 = offset[i], o1 = offset[i + 1], o2 = offset[i + 2], o3 = offset[i + 3];
    const w0 = weight[i], w1 = weight[i + 1], w2 = weight[i + 2], w3 = weight[i + 3];
    for (let c = c0; c < c1; c++) {
      const g = dy[dyOffset + c];
      dx[o0 + c] += w0 * g;
      dx[o1 + c] += w1 * g;
      dx[o2 + c] += w2 * g;
      dx[o3 + c] += w3 * g;
    }
  }
  for (; i < count; i++) {
    const o0 = offset[i], w0 = weight[i];
    for (let c = c0; c < c1; c++) dx[o0 + c] += w0 * dy[dyOffset + c];
  }
}

/**
 * dots[i] = sum over channels [c0, c1) of dy[dyOffset + c] * x[offset_i + c]:
 * how the loss moves with each pixel the bin reads, for the box gradient.
 */
export function pixelDots(
    x: Float32Array, bin: BinPixels, c0: number, c1: number, dy: Float32Array,
    dyOffset: number, dots: Float64Array): void {
  const {offset, count} = bin;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o0 = offset[i], o1 = offset[i + 1], o2 = offset[i + 2], o3 = offset[i + 3];
    let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    for (let c = c0; c < c1; c++) {
      const g = dy[dyOffset + c];
      d0 += g * x[o0 + c];
      d1 += g * x[o1 + c];
      d2 += g * x[o2 + c];
      d3 += g * x[o3 + c];
    }
    dots[i] = d0;
    dots[i + 1] = d1;
    dots[i + 2] = d2;
    dots[i + 3] = d3;
  }
  for (; i < count; i++) {
    const o0 = offset[i];
    let d0 = 0;
    for (let c = c0; c < c1; c++) d0 += dy[dyOffset + c] * x[o0 + c];
    dots[i] = d0;
  }
}

/**
 * Calls `visit` for every bin of every box that reads something, with the
 * bin's pixels filled in. Boxes that read nothing are skipped: their output
 * stays 0 and they pass no gradient.
 */
export function visitAlignBinPixels(
    g: AlignGeometry, channels: number, boxes: ArrayLike<number>,
    boxIndices: ArrayLike<number>,
    visit: (box: AlignBoxTaps, k: number, binOffset: number, bin: BinPixels) => void): void {
  const bin = new BinPixels();
  const reuse = {samples: null, taps: null};
  const imageSize = g.height * g.width * channels;
  for (let k = 0; k < boxIndices.length; k++) {
    const box = alignBoxTaps(g, boxes, boxIndices, k, reuse);
    if (box === null) continue;
    const imageBase = box.batch * imageSize;
    for (let ph = 0; ph < g.pooledHeight; ph++) {
      for (let pw = 0; pw < g.pooledWidth; pw++) {
        bin.fill(box, ph, pw, g.width, channels, imageBase);
        visit(box, k, ((k * g.pooledHeight + ph) * g.pooledWidth + pw) * channels, bin);
      }
    }
  }
}

/** Reusable storage for one dot product per pixel of a bin. */
export class BinDots {
  values = new Float64Array(16);

  /** values, long enough for `bin`. */
  reserve(bin: BinPixels): Float64Array {
    if (bin.count > this.values.length) this.values = new Float64Array(bin.offset.length);
    return this.values;
  }
}

/**
 * Adds to dboxes [K,4] box k's share from one 'avg' bin. The bin's value is
 * a sum over pixels of rowWeight * colWeight * x, so its derivative w.r.t.
 * a row coordinate is the sum of d(rowWeight) * colWeight * (dy . x) over
 * the pixels, and likewise for columns; dots[i] is pixel i's dy . x.
 */
export function addBinBoxGrad(
    box: AlignBoxTaps, k: number, bin: BinPixels, dots: Float64Array, dboxes: Float64Array): void {
  const {y, x: cols} = box;
  let x1 = 0, y1 = 0, x2 = 0, y2 = 0;
  for (let i = 0; i < bin.count; i++) {
    const r = bin.rowTap[i], c = bin.colTap[i];
    const d = dots[i] * box.invCount;
    const rowD = y.weight[r] * d, colD = cols.weight[c] * d;
    x1 += rowD * cols.dStart[c];
    x2 += rowD * cols.dEnd[c];
    y1 += colD * y.dStart[r];
    y2 += colD * y.dEnd[r];
  }
  dboxes[4 * k] += x1;
  dboxes[4 * k + 1] += y1;
  dboxes[4 * k + 2] += x2;
  dboxes[4 * k + 3] += y2;
}
