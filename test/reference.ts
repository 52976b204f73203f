/**
 * An independent float64 reference for the tests: a literal, slow reading of
 * torchvision's roi_align / roi_pool and mmcv's max mode, one output element
 * at a time. It shares no code with the kernels, so agreement means something.
 */

export interface RefInput {
  x: ArrayLike<number>;
  /** [N,H,W,C] */
  shape: number[];
  /** [K,4] flat, (x1, y1, x2, y2) */
  boxes: ArrayLike<number>;
  boxIndices: ArrayLike<number>;
}

export interface RefAlignOptions {
  outH: number;
  outW: number;
  spatialScale: number;
  samplingRatio: number;
  aligned: boolean;
  mode: 'avg'|'max';
}

function pixel(inp: RefInput, n: number, h: number, w: number, c: number): number {
  const [, H, W, C] = inp.shape;
  return inp.x[((n * H + h) * W + w) * C + c];
}

/** torchvision's bilinear_interpolate, in float64. */
export function bilinear(inp: RefInput, n: number, y: number, x: number, c: number): number {
  const [, H, W] = inp.shape;
  if (!(y >= -1 && y <= H && x >= -1 && x <= W)) return 0;
  y = Math.max(y, 0);
  x = Math.max(x, 0);
  let y0 = Math.floor(y), x0 = Math.floor(x), y1: number, x1: number;
  if (y0 >= H - 1) {
    y0 = y1 = H - 1;
    y = y0;
  } else {
    y1 = y0 + 1;
  }
  if (x0 >= W - 1) {
    x0 = x1 = W - 1;
    x = x0;
  } else {
    x1 = x0 + 1;
  }
  const ly = y - y0, lx = x - x0;
  return (1 - ly) * (1 - lx) * pixel(inp, n, y0, x0, c) + (1 - ly) * lx * pixel(inp, n, y0, x1, c) +
      ly * (1 - lx) * pixel(inp, n, y1, x0, c) + ly * lx * pixel(inp, n, y1, x1, c);
}

export function boxIsReadable(inp: RefInput, k: number): boolean {
  const n = inp.boxIndices[k];
  const coords = Array.from(inp.boxes).slice(4 * k, 4 * k + 4);
  return n >= 0 && n < inp.shape[0] && coords.every(v => Number.isFinite(v));
}

/** One bilinear sample of a bin: its value, its index iy * gridW + ix, and whether it lies on the map. */
interface RefSample {
  value: number;
  index: number;
  inside: boolean;
}

/**
 * Calls visit for every bin and channel of every readable box, with the
 * bin's samples in torchvision's order (rows outer) and the flat index of
 * the bin and channel in [K,outH,outW,C].
 */
function forEachRefBin(inp: RefInput, o: RefAlignOptions, visit: (at: number, samples: RefSample[]) => void): void {
  const [, H, W, C] = inp.shape;
  const K = inp.boxIndices.length;
  for (let k = 0; k < K; k++) {
    if (!boxIsReadable(inp, k)) continue;
    const n = inp.boxIndices[k];
    const shift = o.aligned ? 0.5 : 0;
    const x1 = inp.boxes[4 * k] * o.spatialScale - shift;
    const y1 = inp.boxes[4 * k + 1] * o.spatialScale - shift;
    let w = inp.boxes[4 * k + 2] * o.spatialScale - shift - x1;
    let h = inp.boxes[4 * k + 3] * o.spatialScale - shift - y1;
    if (!o.aligned) {
      w = Math.max(w, 1);
      h = Math.max(h, 1);
    }
    const binH = h / o.outH, binW = w / o.outW;
    const gridH = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(h / o.outH);
    const gridW = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(w / o.outW);
    for (let i = 0; i < o.outH; i++) {
      for (let j = 0; j < o.outW; j++) {
        for (let c = 0; c < C; c++) {
          const samples: RefSample[] = [];
          for (let iy = 0; iy < gridH; iy++) {
            const y = y1 + i * binH + (iy + 0.5) * binH / gridH;
            for (let ix = 0; ix < gridW; ix++) {
              const x = x1 + j * binW + (ix + 0.5) * binW / gridW;
              const inside = y >= -1 && y <= H && x >= -1 && x <= W;
              samples.push({value: bilinear(inp, n, y, x, c), index: iy * gridW + ix, inside});
            }
          }
          visit(((k * o.outH + i) * o.outW + j) * C + c, samples);
        }
      }
    }
  }
}

/** roiAlign, [K,outH,outW,C] flat. */
export function refRoiAlign(inp: RefInput, o: RefAlignOptions): Float64Array {
  const out = new Float64Array(inp.boxIndices.length * o.outH * o.outW * inp.shape[3]);
  forEachRefBin(inp, o, (at, samples) => {
    if (samples.length === 0) return;
    const values = samples.map(s => s.value);
    out[at] = o.mode === 'avg' ? values.reduce((a, b) => a + b, 0) / samples.length :
                                 values.reduce((a, b) => (b > a ? b : a));
  });
  return out;
}

/**
 * 'max' mode's winners, [K,outH,outW,C] flat: the index iy * gridW + ix of
 * each bin's max sample (the first on ties, outside samples counting as 0),
 * -1 where no gradient flows (the winner is outside the map, the bin is
 * empty or the box unreadable). `margin` is the least gap, over every bin,
 * between the winner and the best sample that would change the answer (all
 * outside samples count as one): a case with a margin well above float32's
 * rounding has no ties that the backends could break differently.
 */
export function refRoiAlignWinners(inp: RefInput, o: RefAlignOptions): {winners: Int32Array, margin: number} {
  const winners = new Int32Array(inp.boxIndices.length * o.outH * o.outW * inp.shape[3]).fill(-1);
  let margin = Infinity;
  forEachRefBin(inp, o, (at, samples) => {
    if (samples.length === 0) return;
    const best = samples.reduce((a, b) => (b.value > a.value ? b : a));
    winners[at] = best.inside ? best.index : -1;
    for (const s of samples) {
      if (s !== best && (s.inside || best.inside)) margin = Math.min(margin, best.value - s.value);
    }
  });
  return {winners, margin};
}

/** C's round(): half away from zero. */
function roundC(v: number): number {
  return Math.sign(v) * Math.round(Math.abs(v));
}

type RefPoolOptions = {outH: number, outW: number, spatialScale: number};

/**
 * torchvision's roi_pool bins of every readable box: visit(n, at, h0, h1, w0,
 * w1) per bin, with n the box's image, `at` the bin's first output (channel
 * 0), and its pixels' rows [h0, h1) and columns [w0, w1).
 */
function forEachPoolBin(
    inp: RefInput, o: RefPoolOptions,
    visit: (n: number, at: number, h0: number, h1: number, w0: number, w1: number) => void): void {
  const [, H, W, C] = inp.shape;
  const clip = (v: number, size: number) => Math.min(Math.max(v, 0), size);
  for (let k = 0; k < inp.boxIndices.length; k++) {
    if (!boxIsReadable(inp, k)) continue;
    const [bx1, by1, bx2, by2] = [0, 1, 2, 3].map(i => roundC(inp.boxes[4 * k + i] * o.spatialScale));
    const binH = Math.max(by2 - by1 + 1, 1) / o.outH, binW = Math.max(bx2 - bx1 + 1, 1) / o.outW;
    for (let i = 0; i < o.outH; i++) {
      const h0 = clip(Math.floor(i * binH) + by1, H), h1 = clip(Math.ceil((i + 1) * binH) + by1, H);
      for (let j = 0; j < o.outW; j++) {
        const w0 = clip(Math.floor(j * binW) + bx1, W), w1 = clip(Math.ceil((j + 1) * binW) + bx1, W);
        visit(inp.boxIndices[k], ((k * o.outH + i) * o.outW + j) * C, h0, h1, w0, w1);
      }
    }
  }
}

/** roiPool, [K,outH,outW,C] flat. */
export function refRoiPool(inp: RefInput, o: RefPoolOptions): Float64Array {
  const C = inp.shape[3];
  const out = new Float64Array(inp.boxIndices.length * o.outH * o.outW * C);
  forEachPoolBin(inp, o, (n, at, h0, h1, w0, w1) => {
    for (let c = 0; c < C; c++) {
      let best = h1 > h0 && w1 > w0 ? -Infinity : 0;
      for (let h = h0; h < h1; h++) {
        for (let w = w0; w < w1; w++) best = Math.max(best, pixel(inp, n, h, w, c));
      }
      out[at + c] = best;
    }
  });
  return out;
}

/** torchvision's corner choice along one axis, in float64: [index, weight] pairs, or none outside. */
function axisCorners(pos: number, size: number): Array<[number, number]> {
  if (!(pos >= -1 && pos <= size)) return [];
  pos = Math.max(pos, 0);
  let low = Math.floor(pos), high: number;
  if (low >= size - 1) {
    low = high = size - 1;
    pos = low;
  } else {
    high = low + 1;
  }
  return [[low, 1 - (pos - low)], [high, pos - low]];
}

/**
 * The float64 adjoint of refRoiAlign: dx [N,H,W,C] for dy. 'avg' spreads
 * dy / count over every sample's corners; 'max' over the corners of the
 * sample refRoiAlign picks (the first largest, outside samples counting 0).
 */
export function refRoiAlignGrad(inp: RefInput, dy: ArrayLike<number>, o: RefAlignOptions): Float64Array {
  const [N, H, W, C] = inp.shape;
  const K = inp.boxIndices.length;
  const dx = new Float64Array(N * H * W * C);
  const value = (n: number, ys: Array<[number, number]>, xs: Array<[number, number]>, c: number) => {
    let v = 0;
    for (const [h, wy] of ys) for (const [w, wx] of xs) v += wy * wx * inp.x[((n * H + h) * W + w) * C + c];
    return v;
  };
  for (let k = 0; k < K; k++) {
    const n = inp.boxIndices[k];
    const box = Array.from(inp.boxes).slice(4 * k, 4 * k + 4);
    if (!(n >= 0 && n < N) || !box.every(Number.isFinite)) continue;
    const shift = o.aligned ? 0.5 : 0;
    const [x1, y1] = [box[0] * o.spatialScale - shift, box[1] * o.spatialScale - shift];
    let w = box[2] * o.spatialScale - shift - x1, h = box[3] * o.spatialScale - shift - y1;
    if (!o.aligned) {
      w = Math.max(w, 1);
      h = Math.max(h, 1);
    }
    const gridH = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(h / o.outH);
    const gridW = o.samplingRatio > 0 ? o.samplingRatio : Math.ceil(w / o.outW);
    const count = Math.max(gridH * gridW, 1);
    for (let i = 0; i < o.outH; i++) {
      for (let j = 0; j < o.outW; j++) {
        const samples: Array<[Array<[number, number]>, Array<[number, number]>]> = [];
        for (let iy = 0; iy < gridH; iy++) {
          const ys = axisCorners(y1 + i * h / o.outH + (iy + 0.5) * (h / o.outH) / gridH, H);
          for (let ix = 0; ix < gridW; ix++) {
            samples.push([ys, axisCorners(x1 + j * w / o.outW + (ix + 0.5) * (w / o.outW) / gridW, W)]);
          }
        }
        for (let c = 0; c < C; c++) {
          const g = dy[((k * o.outH + i) * o.outW + j) * C + c];
          let chosen = samples.map(s => [s, g / count] as const);
          if (o.mode === 'max') {
            let best = -1, bestValue = 0;
            samples.forEach(([ys, xs], s) => {
              const v = ys.length && xs.length ? value(n, ys, xs, c) : 0;
              if (best < 0 || v > bestValue) [best, bestValue] = [s, v];
            });
            chosen = best < 0 ? [] : [[samples[best], g] as const];
          }
          for (const [[ys, xs], share] of chosen) {
            for (const [hh, wy] of ys) for (const [ww, wx] of xs) dx[((n * H + hh) * W + ww) * C + c] += share * wy * wx;
          }
        }
      }
    }
  }
  return dx;
}

/** The float64 adjoint of refRoiPool: each bin's dy goes to its max's first pixel. */
export function refRoiPoolGrad(inp: RefInput, dy: ArrayLike<number>, o: RefPoolOptions): Float64Array {
  const [N, H, W, C] = inp.shape;
  const y = refRoiPool(inp, o);
  const dx = new Float64Array(N * H * W * C);
  forEachPoolBin(inp, o, (n, at, h0, h1, w0, w1) => {
    for (let c = 0; c < C; c++) {
      search: for (let h = h0; h < h1; h++) {
        for (let w = w0; w < w1; w++) {
          const xi = ((n * H + h) * W + w) * C + c;
          if (inp.x[xi] === y[at + c]) {
            dx[xi] += dy[at + c];
            break search;
          }
        }
      }
    }
  });
  return dx;
}

/**
 * The gradient of sum(dy * f(input)) w.r.t. `values` by central differences
 * of the float64 reference. `perturb` returns the input with values[i] moved.
 */
export function numericGradient(
    values: ArrayLike<number>, dy: ArrayLike<number>, eps: number,
    evaluate: (moved: Float64Array) => Float64Array): Float64Array {
  const grad = new Float64Array(values.length);
  const moved = Float64Array.from(values);
  const dot = (v: Float64Array) => v.reduce((acc, vi, i) => acc + vi * dy[i], 0);
  for (let i = 0; i < values.length; i++) {
    moved[i] = values[i] + eps;
    const up = dot(evaluate(moved));
    moved[i] = values[i] - eps;
    const down = dot(evaluate(moved));
    moved[i] = values[i];
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

/**
 * The gradient of <dy, f(boxes)> w.r.t. box k's parameters (4 corners, or 5
 * for a rotated box) by central differences of `forward`, a float64
 * reference run on box k alone (dy: every box's, [K,...] flat). null where
 * the forward and backward differences disagree: the forward is not
 * differentiable there (a sample on a pixel edge or the map's border, an
 * adaptive grid about to grow, a 'max' winner about to change), and a
 * float32 kernel may take either side. eps, in box units, should stay well
 * above float32's rounding of the sample positions, so that no kink the
 * differences did not see lies between the kernel's positions and these.
 */
export function boxGradientByDifferences<T extends {boxes: ArrayLike<number>, boxIndices: ArrayLike<number>}>(
    inp: T, k: number, dy: ArrayLike<number>, eps: number, forward: (one: T) => ArrayLike<number>): Float64Array|null {
  const K = inp.boxIndices.length;
  const width = inp.boxes.length / K, perBox = dy.length / K;
  const params = Array.from(inp.boxes).slice(width * k, width * (k + 1));
  const boxIndices = [inp.boxIndices[k]];
  const dot = (moved: number[]) => {
    const y = forward({...inp, boxes: moved, boxIndices});
    let sum = 0;
    for (let e = 0; e < perBox; e++) sum += dy[k * perBox + e] * y[e];
    return sum;
  };
  const at = dot(params);
  const grad = new Float64Array(width);
  for (let i = 0; i < width; i++) {
    const up = dot(params.map((v, j) => (j === i ? v + eps : v)));
    const down = dot(params.map((v, j) => (j === i ? v - eps : v)));
    const ahead = (up - at) / eps, behind = (at - down) / eps;
    // Within the tolerance the specs give box gradients (1e-3 + 1e-3 |g|), whichever side a kernel takes.
    if (!(Math.abs(ahead - behind) <= 1e-3 * (1 + Math.abs(ahead) + Math.abs(behind)))) return null;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

/**
 * Box k's roiAlign gradient by boxGradientByDifferences of refRoiAlign
 * (null where that is not differentiable: in 'max' mode also where a winner
 * changes within eps).
 */
export function refRoiAlignBoxGrad(
    inp: RefInput, k: number, dy: ArrayLike<number>, o: RefAlignOptions, eps: number): Float64Array|null {
  return boxGradientByDifferences(inp, k, dy, eps, moved => refRoiAlign(moved, o));
}
