import {poolBoxBins} from '../../src/geometry';
import type {RoIPoolAttrs} from '../../src/kernel_names';

/** torchvision's starting value for a non-empty bin. */
const FLOAT32_LOWEST = -3.4028234663852886e38;

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
  const [batch, height, width, channels] = xShape;
  const {pooledHeight, pooledWidth, spatialScale} = attrs;
  const g = {batch, height, width, pooledHeight, pooledWidth, spatialScale};
  if (argmax !== null) argmax.fill(-1);
  for (let k = 0; k < boxIndices.length; k++) {
    const bins = poolBoxBins(g, boxes, boxIndices, k);
    if (bins === null) continue;
    const imageBase = bins.batch * height * width * channels;
    for (let ph = 0; ph < pooledHeight; ph++) {
      const h0 = bins.y.start[ph], h1 = bins.y.end[ph];
      for (let pw = 0; pw < pooledWidth; pw++) {
        const w0 = bins.x.start[pw], w1 = bins.x.end[pw];
        const o = ((k * pooledHeight + ph) * pooledWidth + pw) * channels;
        if (h1 <= h0 || w1 <= w0) continue;  // empty: out stays 0
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
      }
    }
  }
}
