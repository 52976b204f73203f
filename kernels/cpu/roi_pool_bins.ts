import {poolBoxBins} from '../../src/geometry';
import type {RoIPoolAttrs} from '../../src/kernel_names';
import {fromOrderedKey, orderedKey, signedOrderKey} from './branchless_max';
import {cpuWasmAllowed, simdChannelLoops} from './wasm_simd';

/** torchvision's starting value for a non-empty bin. */
const FLOAT32_LOWEST = -3.4028234663852886e38;
const FLOAT32_LOWEST_BITS = 0xff7fffff | 0;
const INFINITY_BITS = 0x7f800000;
/**
 * A bin whose max key falls outside these bounds holds NaN (above +Infinity,
 * or below with the sign bit set), or has nothing above -FLT_MAX: the float
 * path then decides it. Ordered keys exclude -FLT_MAX itself, which never
 * wins an argmax.
 */
const SIGNED_KEY_LOW = signedOrderKey(FLOAT32_LOWEST_BITS), SIGNED_KEY_HIGH = signedOrderKey(INFINITY_BITS);
const KEY_LOW = orderedKey(FLOAT32_LOWEST_BITS) + 1, KEY_HIGH = orderedKey(INFINITY_BITS);

/** One non-empty bin of a RoIPool-family op. */
export interface PoolBin {
  /** (k * outH + ph) * outW + pw: the bin's number in y / dy. */
  index: number;
  ph: number;
  pw: number;
  /** The bin's pixels, [h0, h1) x [w0, w1). */
  h0: number;
  h1: number;
  w0: number;
  w1: number;
  /** Offset in x of the box's image. */
  imageBase: number;
}

/**
 * Calls `visit` for every non-empty bin of every readable box, in order, with
 * one PoolBin object refilled each time. positionSensitive: psRoiPool's bins
 * (geometry poolBoxBins). Empty bins and boxes that read nothing are skipped:
 * their output stays 0 and they pass no gradient.
 */
export function visitPoolBins(
    xShape: number[], attrs: RoIPoolAttrs, boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    positionSensitive: boolean, visit: (bin: PoolBin) => void): void {
  const [batch, height, width, channels] = xShape;
  const {pooledHeight, pooledWidth, spatialScale} = attrs;
  const g = {batch, height, width, pooledHeight, pooledWidth, spatialScale};
  const bin: PoolBin = {index: 0, ph: 0, pw: 0, h0: 0, h1: 0, w0: 0, w1: 0, imageBase: 0};
  for (let k = 0; k < boxIndices.length; k++) {
    const bins = poolBoxBins(g, boxes, boxIndices, k, positionSensitive);
    if (bins === null) continue;
    bin.imageBase = bins.batch * height * width * channels;
    for (let ph = 0; ph < pooledHeight; ph++) {
      bin.h0 = bins.y.start[ph];
      bin.h1 = bins.y.end[ph];
      for (let pw = 0; pw < pooledWidth; pw++) {
        bin.w0 = bins.x.start[pw];
        bin.w1 = bins.x.end[pw];
        if (bin.h1 <= bin.h0 || bin.w1 <= bin.w0) continue;
        bin.index = (k * pooledHeight + ph) * pooledWidth + pw;
        bin.ph = ph;
        bin.pw = pw;
        visit(bin);
      }
    }
  }
}

/**
 * Fills out ([K,outH,outW,C]) with the max of each RoIPool bin and channel,
 * and argmax (when given, same length) with the flat offset in x of the pixel
 * that holds it (-1 for none). Starting from -FLT_MAX, a pixel replaces the
 * running max only when strictly greater, so the first pixel in row-major
 * order wins ties, NaN never wins, and a bin of -Infinity gives -FLT_MAX with
 * argmax -1; an empty bin gives 0.
 *
 * The comparisons run on integer keys in the order of the float32 values
 * (branchless_max.ts) and select without branching: a data-dependent branch
 * per element is mispredicted about as often as a running max changes, which
 * on random data cost more than the rest of the loop. A bin starts from its
 * first pixel; where that or a NaN could give another answer than the
 * definition, the max lands outside the keys of (-FLT_MAX, +Infinity] and
 * the bin is redone in float comparisons. The argmax keys treat -0 and +0 as
 * equal, as float comparison does; a winning -0 may come out as +0.
 */
export function poolBinMax(
    xShape: number[], attrs: RoIPoolAttrs, xValues: Float32Array,
    boxes: ArrayLike<number>, boxIndices: ArrayLike<number>, out: Float32Array,
    argmax: Int32Array|null): void {
  const [, height, width, channels] = xShape;
  if (argmax !== null) argmax.fill(-1);
  const xBits = new Int32Array(xValues.buffer, xValues.byteOffset, xValues.length);
  const outBits = new Int32Array(out.buffer, out.byteOffset, out.length);
  const pixels = new Int32Array(height * width);
  const simd = argmax === null && cpuWasmAllowed() ? simdChannelLoops(xValues, channels, height * width) : null;
  if (simd !== null) {
    visitPoolBins(xShape, attrs, boxes, boxIndices, false, ({index, h0, h1, w0, w1, imageBase}) => {
      const count = listBinPixels(pixels, h0, h1, w0, w1, width, channels, imageBase);
      const o = index * channels;
      simd.binMax(pixels, count, out, o);
      floatBinMax(xValues, pixels, count, simd.quadChannels, channels, out, o, null);
    });
    return;
  }
  const best = new Int32Array(channels);
  const winner = new Int32Array(argmax === null ? 0 : channels);
  visitPoolBins(xShape, attrs, boxes, boxIndices, false, ({index, h0, h1, w0, w1, imageBase}) => {
    const count = listBinPixels(pixels, h0, h1, w0, w1, width, channels, imageBase);
    const o = index * channels;
    let outside = 0;
    if (argmax === null) {
      keyBinMax(xBits, pixels, count, channels, best);
      for (let c = 0; c < channels; c++) {
        const key = best[c];
        outside |= +(key < SIGNED_KEY_LOW) | +(key > SIGNED_KEY_HIGH);
        outBits[o + c] = signedOrderKey(key);
      }
    } else {
      keyBinArgmax(xBits, pixels, count, channels, best, winner);
      argmax.set(winner, o);
      for (let c = 0; c < channels; c++) {
        const key = best[c];
        outside |= +(key < KEY_LOW) | +(key > KEY_HIGH);
        outBits[o + c] = fromOrderedKey(key);
      }
    }
    if (outside !== 0) floatBinMax(xValues, pixels, count, 0, channels, out, o, argmax);
  });
}

/** Fills pixels with the offset in x of each pixel of the bin, row-major; returns their count. */
function listBinPixels(
    pixels: Int32Array, h0: number, h1: number, w0: number, w1: number, width: number,
    channels: number, imageBase: number): number {
  let count = 0;
  for (let h = h0; h < h1; h++) {
    for (let w = w0; w < w1; w++) pixels[count++] = imageBase + (h * width + w) * channels;
  }
  return count;
}

/**
 * The definition, in float comparisons, for channels [c0, c1): for the bins
 * the keys cannot decide, and the channels the SIMD loop leaves over.
 */
function floatBinMax(
    xValues: Float32Array, pixels: Int32Array, count: number, c0: number, c1: number,
    out: Float32Array, o: number, argmax: Int32Array|null): void {
  out.fill(FLOAT32_LOWEST, o + c0, o + c1);
  if (argmax !== null) argmax.fill(-1, o + c0, o + c1);
  for (let i = 0; i < count; i++) {
    const p = pixels[i];
    for (let c = c0; c < c1; c++) {
      const v = xValues[p + c];
      if (v > out[o + c]) {
        out[o + c] = v;
        if (argmax !== null) argmax[o + c] = p + c;
      }
    }
  }
}

/** The larger of signed-order key m and the key of float32 bits. */
function maxKey(m: number, bits: number): number {
  const v = signedOrderKey(bits);
  return m ^ ((m ^ v) & (0 - +(v > m)));
}

/**
 * best[c] = signed-order key of the max over the bin's pixels, per channel.
 * Four pixels by two channels per step keep the running maxima in registers
 * and spread V8's per-iteration array checks over eight updates.
 */
function keyBinMax(
    xBits: Int32Array, pixels: Int32Array, count: number, channels: number,
    best: Int32Array): void {
  const pairs = channels & ~1;
  const first = pixels[0];
  for (let c = 0; c < channels; c++) best[c] = signedOrderKey(xBits[first + c]);
  let i = 1;
  for (; i + 4 <= count; i += 4) {
    const p0 = pixels[i], p1 = pixels[i + 1], p2 = pixels[i + 2], p3 = pixels[i + 3];
    for (let c = 0; c < pairs; c += 2) {
      let m = best[c], n = best[c + 1];
      m = maxKey(m, xBits[p0 + c]);
      n = maxKey(n, xBits[p0 + c + 1]);
      m = maxKey(m, xBits[p1 + c]);
      n = maxKey(n, xBits[p1 + c + 1]);
      m = maxKey(m, xBits[p2 + c]);
      n = maxKey(n, xBits[p2 + c + 1]);
      m = maxKey(m, xBits[p3 + c]);
      n = maxKey(n, xBits[p3 + c + 1]);
      best[c] = m;
      best[c + 1] = n;
    }
    if (pairs < channels) {
      const c = pairs;
      best[c] = maxKey(maxKey(maxKey(maxKey(best[c], xBits[p0 + c]), xBits[p1 + c]), xBits[p2 + c]), xBits[p3 + c]);
    }
  }
  for (; i < count; i++) {
    const p = pixels[i];
    for (let c = 0; c < channels; c++) best[c] = maxKey(best[c], xBits[p + c]);
  }
}

/**
 * As keyBinMax in orderedKey order, also keeping winner[c], the offset in x
 * of the winning pixel; two pixels per pass over the channels.
 */
function keyBinArgmax(
    xBits: Int32Array, pixels: Int32Array, count: number, channels: number,
    best: Int32Array, winner: Int32Array): void {
  const first = pixels[0];
  for (let c = 0; c < channels; c++) {
    best[c] = orderedKey(xBits[first + c]);
    winner[c] = first + c;
  }
  let i = 1;
  for (; i + 2 <= count; i += 2) {
    const p0 = pixels[i], p1 = pixels[i + 1];
    for (let c = 0; c < channels; c++) {
      let m = best[c], w = winner[c];
      let v = orderedKey(xBits[p0 + c]);
      let wins = 0 - +(v > m);
      m ^= (m ^ v) & wins;
      w ^= (w ^ (p0 + c)) & wins;
      v = orderedKey(xBits[p1 + c]);
      wins = 0 - +(v > m);
      best[c] = m ^ ((m ^ v) & wins);
      winner[c] = w ^ ((w ^ (p1 + c)) & wins);
    }
  }
  if (i < count) {
    const p = pixels[i];
    for (let c = 0; c < channels; c++) {
      const m = best[c], v = orderedKey(xBits[p + c]);
      const wins = 0 - +(v > m);
      best[c] = m ^ ((m ^ v) & wins);
      winner[c] ^= (winner[c] ^ (p + c)) & wins;
    }
  }
}
