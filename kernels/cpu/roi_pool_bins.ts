import {poolBoxBins} from '../../src/geometry';
import type {RoIPoolAttrs} from '../../src/kernel_names';

/** torchvision's starting value for a non-empty bin. */
const FLOAT32_LOWEST = -3.4028234663852886e38;

/**
 * For every RoIPool bin that reads something, the max of each channel and the
 * flat offset in x of the pixel that holds it (-1 for none). The first pixel
 * in row-major order wins ties; an empty bin gives 0.
 */
export function visitPoolBins(
    xShape: number[], attrs: RoIPoolAttrs, xValues: ArrayLike<number>,
    boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    visit: (binOffset: number, best: Float64Array, argmax: Int32Array) => void) {
  const [batch, height, width, channels] = xShape;
  const {pooledHeight, pooledWidth, spatialScale} = attrs;
  const best = new Float64Array(channels);
  const argmax = new Int32Array(channels);
  const g = {batch, height, width, pooledHeight, pooledWidth, spatialScale};
  for (let k = 0; k < boxIndices.length; k++) {
    const bins = poolBoxBins(g, boxes, boxIndices, k);
    if (bins === null) continue;
    const imageBase = bins.batch * height * width * channels;
    for (let ph = 0; ph < pooledHeight; ph++) {
      const h0 = bins.y.start[ph], h1 = bins.y.end[ph];
      for (let pw = 0; pw < pooledWidth; pw++) {
        const w0 = bins.x.start[pw], w1 = bins.x.end[pw];
        const empty = h1 <= h0 || w1 <= w0;
        best.fill(empty ? 0 : FLOAT32_LOWEST);
        argmax.fill(-1);
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const pixel = imageBase + (h * width + w) * channels;
            for (let c = 0; c < channels; c++) {
              if (xValues[pixel + c] > best[c]) {
                best[c] = xValues[pixel + c];
                argmax[c] = pixel + c;
              }
            }
          }
        }
        visit(((k * pooledHeight + ph) * pooledWidth + pw) * channels, best, argmax);
      }
    }
  }
}
