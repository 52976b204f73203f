import {poolBoxBins, psInputChannel} from '../../src/geometry';
import type {PsRoIPoolAttrs} from '../../src/kernel_names';

/** One non-empty bin of psRoiPool, in the flat layouts of x and y / dy. */
export interface PsPoolBin {
  /** Offset of the bin in y / dy [K,outH,outW,Cout]. */
  outOffset: number;
  /** Offset in x of the bin's first input channel at pixel (0, 0) of its image. */
  base: number;
  h0: number;
  h1: number;
  w0: number;
  w1: number;
  /** (h1 - h0) * (w1 - w0): the mean's divisor. */
  area: number;
}

/**
 * Calls `visit` for every non-empty bin of every readable box (ps_roi_pool's
 * bins: geometry poolBoxBins, position-sensitive). Output channel c of a bin
 * reads x at base + (h * W + w) * C + c * outH * outW. Empty bins and boxes
 * that read nothing are skipped: their output stays 0.
 */
export function visitPsPoolBins(
    xShape: number[], attrs: PsRoIPoolAttrs, boxes: ArrayLike<number>,
    boxIndices: ArrayLike<number>, visit: (bin: PsPoolBin) => void): void {
  const [batch, height, width, channels] = xShape;
  const {pooledHeight, pooledWidth, spatialScale} = attrs;
  const g = {batch, height, width, pooledHeight, pooledWidth, spatialScale};
  const outChannels = channels / (pooledHeight * pooledWidth);
  for (let k = 0; k < boxIndices.length; k++) {
    const bins = poolBoxBins(g, boxes, boxIndices, k, true);
    if (bins === null) continue;
    const imageBase = bins.batch * height * width * channels;
    for (let ph = 0; ph < pooledHeight; ph++) {
      const h0 = bins.y.start[ph], h1 = bins.y.end[ph];
      for (let pw = 0; pw < pooledWidth; pw++) {
        const w0 = bins.x.start[pw], w1 = bins.x.end[pw];
        if (h1 <= h0 || w1 <= w0) continue;
        visit({
          outOffset: ((k * pooledHeight + ph) * pooledWidth + pw) * outChannels,
          base: imageBase + psInputChannel(0, ph, pw, pooledHeight, pooledWidth),
          h0, h1, w0, w1,
          area: (h1 - h0) * (w1 - w0),
        });
      }
    }
  }
}
