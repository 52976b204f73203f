/**
 * An independent float64 reference of detectron2's ROIAlignRotated for the
 * tests: a literal, slow reading of its definition, one output element at a
 * time. It shares no code with the kernels (nor with src/geometry.ts).
 */

export interface RefRotatedInput {
  x: ArrayLike<number>;
  /** [N,H,W,C] */
  shape: number[];
  /** [K,5] flat, (cx, cy, w, h, angle) */
  boxes: ArrayLike<number>;
  boxIndices: ArrayLike<number>;
}

export interface RefRotatedOptions {
  outH: number;
  outW: number;
  spatialScale: number;
  samplingRatio: number;
  angleUnit: 'degrees'|'radians';
  clockwise: boolean;
}

/** detectron2's bilinear interpolation at (y, x) of image n, channel c. */
function interpolate(inp: RefRotatedInput, n: number, y: number, x: number, c: number): number {
  const [, H, W, C] = inp.shape;
  if (y < -1 || y > H || x < -1 || x > W || Number.isNaN(y) || Number.isNaN(x)) return 0;
  if (y < 0) y = 0;
  if (x < 0) x = 0;
  let yLow = Math.trunc(y), xLow = Math.trunc(x);
  let yHigh = yLow + 1, xHigh = xLow + 1;
  if (yLow >= H - 1) {
    yLow = yHigh = H - 1;
    y = yLow;
  }
  if (xLow >= W - 1) {
    xLow = xHigh = W - 1;
    x = xLow;
  }
  const at = (h: number, w: number) => inp.x[((n * H + h) * W + w) * C + c];
  const ly = y - yLow, lx = x - xLow;
  return (1 - ly) * (1 - lx) * at(yLow, xLow) + (1 - ly) * lx * at(yLow, xHigh) +
      ly * (1 - lx) * at(yHigh, xLow) + ly * lx * at(yHigh, xHigh);
}

/** roiAlignRotated, [K,outH,outW,C] flat. */
export function refRoiAlignRotated(inp: RefRotatedInput, o: RefRotatedOptions): Float64Array {
  const [N, , , C] = inp.shape;
  const K = inp.boxIndices.length;
  const out = new Float64Array(K * o.outH * o.outW * C);
  for (let k = 0; k < K; k++) {
    const n = inp.boxIndices[k];
    const [cx, cy, w, h, angle] = Array.from(inp.boxes).slice(5 * k, 5 * k + 5);
    if (!(n >= 0 && n < N) || ![cx, cy, w, h, angle].every(Number.isFinite)) continue;
    const centerX = cx * o.spatialScale - 0.5, centerY = cy * o.spatialScale - 0.5;
    const roiW = w * o.spatialScale, roiH = h * o.spatialScale;
    let theta = o.angleUnit === 'degrees' ? angle * Math.PI / 180 : angle;
    if (o.clockwise) theta = -theta;
    const cos = Math.cos(theta), sin = Math.sin(theta);
    const binH = roiH / o.outH, binW = roiW / o.outW;
    const gridH = o.samplingRatio > 0 ? o.samplingRatio : Math.max(Math.ceil(binH), 0);
    const gridW = o.samplingRatio > 0 ? o.samplingRatio : Math.max(Math.ceil(binW), 0);
    const count = Math.max(gridH * gridW, 1);
    for (let ph = 0; ph < o.outH; ph++) {
      for (let pw = 0; pw < o.outW; pw++) {
        for (let c = 0; c < C; c++) {
          let sum = 0;
          for (let iy = 0; iy < gridH; iy++) {
            const yy = -roiH / 2 + ph * binH + (iy + 0.5) * binH / gridH;
            for (let ix = 0; ix < gridW; ix++) {
              const xx = -roiW / 2 + pw * binW + (ix + 0.5) * binW / gridW;
              sum += interpolate(inp, n, yy * cos - xx * sin + centerY, yy * sin + xx * cos + centerX, c);
            }
          }
          out[((k * o.outH + ph) * o.outW + pw) * C + c] = sum / count;
        }
      }
    }
  }
  return out;
}
