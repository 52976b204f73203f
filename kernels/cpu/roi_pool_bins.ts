import {poolBoxBins} from '../../src/geometry';
import type {RoIPoolAttrs} from '../../src/kernel_names';

/** torchvision's starting value for a non-empty bin. */
const FLOAT32_LOWEST = -3.4028234663852886e38;

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
 * that holds it (-1 for none). The first pixel in row-major order wins ties;
 * an empty bin gives 0. The running max lives in out itself: x is float32,
 * so holding it as float32 loses nothing.
 */
export function poolBinMax(
    xShape: number[], attrs: RoIPoolAttrs, xValues: Float32Array,
    boxes: ArrayLike<number>, boxIndices: ArrayLike<number>, out: Float32Array,
    argmax: Int32Array|null): void {
  const [, , width, channels] = xShape;
  if (argmax !== null) argmax.fill(-1);
  visitPoolBins(xShape, attrs, boxes, boxIndices, false, ({index, h0, h1, w0, w1, imageBase}) => {
    const o = index * channels;
    out.fill(FLOAT32_LOWEST, o, o + channels);
    for (let h = h0; h < h1; h++) {
      // The bin's part of row h is one contiguous run of pixels.
      const rowStart = imageBase + (h * width + w0) * channels;
      const rowEnd = imageBase + (h * width + w1) * channels;
      if (argmax === null) {
        for (let p = rowStart; p < rowEnd; p += channels) {
          for (let c = 0; c < channels; c++) {
            const v = xValues[p + c];
            if (v > out[o + c]) out[o + c] = v;
          }
        }
      } else {
        for (let p = rowStart; p < rowEnd; p += channels) {
          for (let c = 0; c < channels; c++) {
            const v = xValues[p + c];
            if (v > out[o + c]) {
              out[o + c] = v;
              argmax[o + c] = p + c;
            }
          }
        }
      }
    }
  });
}
