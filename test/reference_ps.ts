/**
 * An independent float64 reference for the position-sensitive ops: a
 * literal reading of torchvision's ps_roi_align and ps_roi_pool CPU kernels,
 * one output element at a time, in NHWC. It shares no code with the kernels.
 */
import {bilinear, boxIsReadable, RefInput} from './reference';

export interface RefPsOptions {
  outH: number;
  outW: number;
  spatialScale: number;
  /** psRoiAlign only. */
  samplingRatio?: number;
}

/** torchvision's channel_mapping: the input channel of output channel c at bin (i, j). */
function inputChannel(c: number, i: number, j: number, o: RefPsOptions): number {
  return (c * o.outH + i) * o.outW + j;
}

/**
 * psRoiAlign, [K,outH,outW,C/(outH*outW)] flat. A box whose grid is empty
 * gives 0 (torchvision divides 0 by 0 there; the package gives 0 as roiAlign
 * does).
 */
export function refPsRoiAlign(inp: RefInput, o: RefPsOptions): Float64Array {
  const cout = inp.shape[3] / (o.outH * o.outW);
  const K = inp.boxIndices.length;
  const out = new Float64Array(K * o.outH * o.outW * cout);
  const ratio = o.samplingRatio ?? 0;
  for (let k = 0; k < K; k++) {
    if (!boxIsReadable(inp, k)) continue;
    const n = inp.boxIndices[k];
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map(i => inp.boxes[4 * k + i] * o.spatialScale - 0.5);
    const binH = (y2 - y1) / o.outH, binW = (x2 - x1) / o.outW;
    const gridH = ratio > 0 ? ratio : Math.ceil((y2 - y1) / o.outH);
    const gridW = ratio > 0 ? ratio : Math.ceil((x2 - x1) / o.outW);
    if (gridH <= 0 || gridW <= 0) continue;
    for (let i = 0; i < o.outH; i++) {
      for (let j = 0; j < o.outW; j++) {
        for (let c = 0; c < cout; c++) {
          let sum = 0;
          for (let iy = 0; iy < gridH; iy++) {
            const y = y1 + i * binH + (iy + 0.5) * binH / gridH;
            for (let ix = 0; ix < gridW; ix++) {
              const x = x1 + j * binW + (ix + 0.5) * binW / gridW;
              sum += bilinear(inp, n, y, x, inputChannel(c, i, j, o));
            }
          }
          out[((k * o.outH + i) * o.outW + j) * cout + c] = sum / (gridH * gridW);
        }
      }
    }
  }
  return out;
}

/**
 * psRoiPool's forward, [K,outH,outW,C/(outH*outW)] flat: rounded corners,
 * size max(end - start, 1), bins clipped to [0, size - 1], the mean of each
 * bin's pixels (0 when empty).
 */
export function refPsRoiPool(inp: RefInput, o: RefPsOptions): Float64Array {
  const [, H, W, C] = inp.shape;
  const cout = C / (o.outH * o.outW);
  const K = inp.boxIndices.length;
  const out = new Float64Array(K * o.outH * o.outW * cout);
  const round = (v: number) => Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
  const clip = (v: number, size: number) => Math.min(Math.max(v, 0), size - 1);
  for (let k = 0; k < K; k++) {
    if (!boxIsReadable(inp, k)) continue;
    const n = inp.boxIndices[k];
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map(i => round(inp.boxes[4 * k + i] * o.spatialScale));
    const binH = Math.max(y2 - y1, 1) / o.outH, binW = Math.max(x2 - x1, 1) / o.outW;
    for (let i = 0; i < o.outH; i++) {
      const h0 = clip(Math.floor(i * binH) + y1, H), h1 = clip(Math.ceil((i + 1) * binH) + y1, H);
      for (let j = 0; j < o.outW; j++) {
        const w0 = clip(Math.floor(j * binW) + x1, W), w1 = clip(Math.ceil((j + 1) * binW) + x1, W);
        if (h1 <= h0 || w1 <= w0) continue;
        for (let c = 0; c < cout; c++) {
          const channel = inputChannel(c, i, j, o);
          let sum = 0;
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) sum += inp.x[((n * H + h) * W + w) * C + channel];
          }
          out[((k * o.outH + i) * o.outW + j) * cout + c] = sum / ((h1 - h0) * (w1 - w0));
        }
      }
    }
  }
  return out;
}
