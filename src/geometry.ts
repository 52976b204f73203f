/**
 * The sampling geometry of RoIAlign and RoIPool in TypeScript: box, then bins,
 * then sample points, then the two corners and their weights per axis.
 *
 * This is the one TypeScript definition; the cpu forward and backward kernels
 * both read it. The GLSL and WGSL definitions under shaders/ follow the same
 * rules line for line.
 *
 * RoIAlign's bilinear interpolation is separable: a sample at (y, x) reads the
 * four corners (yLow|yHigh) x (xLow|xHigh) with weight wy * wx, and it is
 * outside the map exactly when y or x is. So each box is described by one
 * table per axis, and a 2-D sample is the pairing of a row entry and a column
 * entry.
 *
 * Arithmetic on positions is rounded to float32 (Math.fround) in the order
 * torchvision's float kernels use, so that the discrete decisions (the
 * adaptive grid size, the corner indices, inside or outside) agree with it
 * exactly rather than only nearly.
 */

import {MAX_SAMPLES_PER_BIN_AXIS} from './limits';

const f = Math.fround;

/** One axis of one box: `bins * grid` samples, bin-major. */
export interface AxisSamples {
  /** Samples per bin along this axis; 0 means the bin has none. */
  grid: number;
  /** Index of the lower and upper corner of each sample. */
  low: Int32Array;
  high: Int32Array;
  /** Bilinear weight of the lower and upper corner (1 - frac, frac). */
  lowWeight: Float64Array;
  highWeight: Float64Array;
  /** 0 when the sample lies outside [-1, size]: it contributes nothing. */
  inside: Uint8Array;
  /**
   * d(sample position) / d(box start and end coordinate, in image units).
   * Zero where the position is clamped, as the reference's autograd gives.
   */
  dStart: Float64Array;
  dEnd: Float64Array;
}

export interface AlignAxisParams {
  /** Box start and end along this axis, in input-image coordinates. */
  start: number;
  end: number;
  pooled: number;
  /** Feature-map extent along this axis. */
  size: number;
  spatialScale: number;
  samplingRatio: number;
  aligned: boolean;
}

/**
 * Zeroed tables for n samples: `reuse`'s storage when it is large enough (a
 * kernel visiting thousands of boxes saves the allocations), else new.
 */
function emptyAxisSamples(grid: number, n: number, reuse?: AxisSamples): AxisSamples {
  if (reuse === undefined || reuse.low.length < n) {
    const size = Math.max(n, reuse === undefined ? 0 : 2 * reuse.low.length);
    return {
      grid,
      low: new Int32Array(size),
      high: new Int32Array(size),
      lowWeight: new Float64Array(size),
      highWeight: new Float64Array(size),
      inside: new Uint8Array(size),
      dStart: new Float64Array(size),
      dEnd: new Float64Array(size),
    };
  }
  reuse.grid = grid;
  for (const table of [reuse.low, reuse.high, reuse.lowWeight, reuse.highWeight, reuse.inside,
                       reuse.dStart, reuse.dEnd]) {
    table.fill(0, 0, n);
  }
  return reuse;
}

/**
 * Where one RoIAlign box sits along one axis in sampling coordinates (where
 * position i reads pixel i exactly), before any sample is placed. Exported
 * for pictures of the sampling (the demo site) as well as used below.
 */
export interface AlignAxisFrame {
  /** spatialScale as the float32 torchvision holds (1/3 is not 1/3 there). */
  scale: number;
  /** Start of bin 0; bin b starts at alignBinStart(roiStart, binSize, b). */
  roiStart: number;
  binSize: number;
  /** True when an unaligned box shorter than one pixel was widened to one. */
  sizeClamped: boolean;
  /** Samples per bin along this axis. */
  grid: number;
}

export function alignAxisFrame(p: AlignAxisParams): AlignAxisFrame {
  const offset = p.aligned ? 0.5 : 0;
  const scale = f(p.spatialScale);
  const roiStart = f(f(p.start * scale) - offset);
  const roiEnd = f(f(p.end * scale) - offset);
  let roiSize = f(roiEnd - roiStart);
  // The clamp to one pixel makes the bin size independent of the box.
  const sizeClamped = !p.aligned && roiSize < 1;
  if (sizeClamped) roiSize = 1;
  const binSize = f(roiSize / p.pooled);
  return {scale, roiStart, binSize, sizeClamped, grid: binGrid(p.samplingRatio, binSize)};
}

/**
 * Samples per bin along one axis: the fixed samplingRatio, or with the
 * adaptive grid (samplingRatio <= 0) ceil(binSize). Past
 * MAX_SAMPLES_PER_BIN_AXIS, or for a bin size that is not finite, the box is
 * unreadable and the grid is 0: no sample, output 0 and no gradient, exactly
 * as for a box of size 0 (torchvision's count max(gridH * gridW, 1) makes a
 * bin without samples 0). So no box can make a kernel loop or allocate
 * without bound; the op refuses a fixed ratio past the cap before this.
 */
export function binGrid(samplingRatio: number, binSize: number): number {
  const grid = samplingRatio > 0 ? samplingRatio : Math.ceil(binSize);
  // Written as !(<=) so that a NaN bin size is unreadable too.
  if (!(grid <= MAX_SAMPLES_PER_BIN_AXIS)) return 0;
  return Math.max(grid, 0);
}

export function alignBinStart(roiStart: number, binSize: number, bin: number): number {
  return f(roiStart + f(bin * binSize));
}

/** Sample s of a bin, before the outside test and the clamping of alignAxisSamples. */
export function alignSamplePosition(binStart: number, binSize: number, grid: number, s: number): number {
  return f(binStart + f(f(f(s + 0.5) * binSize) / grid));
}

/**
 * The samples of one box along one axis.
 *
 * torchvision's rules, in order: scale and (aligned) shift by half a pixel;
 * unaligned boxes are at least one pixel wide; bins split the box evenly;
 * samples sit at the centres of a grid x grid split of each bin; a sample
 * outside [-1, size] is dropped; inside, the position clamps to [0, size-1].
 */
export function alignAxisSamples(p: AlignAxisParams, reuse?: AxisSamples): AxisSamples {
  const {scale, roiStart, binSize, sizeClamped, grid} = alignAxisFrame(p);
  const n = p.pooled * grid;
  const axis = emptyAxisSamples(grid, n, reuse);
  const corner = emptyAxisCorner();
  for (let bin = 0; bin < p.pooled; bin++) {
    const binStart = alignBinStart(roiStart, binSize, bin);
    for (let s = 0; s < grid; s++) {
      const i = bin * grid + s;
      const pos = alignSamplePosition(binStart, binSize, grid, s);
      if (!axisCorner(pos, p.size, corner).inside) continue;
      axis.inside[i] = 1;
      axis.low[i] = corner.low;
      axis.high[i] = corner.high;
      axis.lowWeight[i] = corner.lowWeight;
      axis.highWeight[i] = corner.highWeight;
      if (corner.moves) {
        // pos = start + (bin + (s + 0.5) / grid) * (end - start) / pooled
        const t = (bin + (s + 0.5) / grid) / p.pooled;
        axis.dStart[i] = (sizeClamped ? 1 : 1 - t) * scale;
        axis.dEnd[i] = (sizeClamped ? 0 : t) * scale;
      }
    }
  }
  return axis;
}

/** The sampling of one RoIAlign box, or null when it reads nothing. */
export interface AlignBoxSamples {
  batch: number;
  y: AxisSamples;
  x: AxisSamples;
  /** The divisor of 'avg' mode: max(gridH * gridW, 1). */
  count: number;
}

export interface AlignGeometry {
  height: number;
  width: number;
  batch: number;
  pooledHeight: number;
  pooledWidth: number;
  spatialScale: number;
  samplingRatio: number;
  aligned: boolean;
}

/**
 * Box k's corners and batch index, or null when the box reads nothing: a
 * non-finite coordinate or a batch index outside [0, batchSize) gives an
 * all-zero output and no gradient.
 */
export function readableBox(
    batchSize: number, boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    k: number) {
  const batch = boxIndices[k];
  const x1 = boxes[4 * k], y1 = boxes[4 * k + 1];
  const x2 = boxes[4 * k + 2], y2 = boxes[4 * k + 3];
  if (!(batch >= 0 && batch < batchSize) || !isFinite(x1) || !isFinite(y1) ||
      !isFinite(x2) || !isFinite(y2)) {
    return null;
  }
  return {batch, x1, y1, x2, y2};
}

/**
 * Samples of box k, or null when the box reads nothing: a non-finite
 * coordinate or a batch index outside [0, batch) gives an all-zero output.
 * boxes is [K,4] (x1, y1, x2, y2).
 */
export function alignBoxSamples(
    g: AlignGeometry, boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    k: number, reuse?: AlignBoxSamples|null): AlignBoxSamples|null {
  const box = readableBox(g.batch, boxes, boxIndices, k);
  if (box === null) return null;
  const {batch, x1, y1, x2, y2} = box;
  const {spatialScale, samplingRatio, aligned} = g;
  const y = alignAxisSamples(
      {spatialScale, samplingRatio, aligned, start: y1, end: y2, pooled: g.pooledHeight, size: g.height},
      reuse?.y);
  const x = alignAxisSamples(
      {spatialScale, samplingRatio, aligned, start: x1, end: x2, pooled: g.pooledWidth, size: g.width},
      reuse?.x);
  return {batch, y, x, count: Math.max(y.grid * x.grid, 1)};
}

/** One axis of one RoIPool box: the clipped [start, end) of every bin. */
export interface PoolAxisBins {
  start: Int32Array;
  end: Int32Array;
}

/** C's round(): half away from zero, as torchvision rounds box corners. */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * torchvision's roi_pool bins: corners rounded, size max(end - start + 1, 1),
 * bin edges floor / ceil of multiples of the bin size, then clipped to
 * [0, size]. ps_roi_pool counts no end pixel (`endPixel` 0).
 */
export function poolAxisBins(
    start: number, end: number, pooled: number, size: number,
    spatialScale: number, endPixel = 1): PoolAxisBins {
  const scale = f(spatialScale);
  const roiStart = roundHalfAway(f(start * scale));
  const roiEnd = roundHalfAway(f(end * scale));
  const roiSize = Math.max(roiEnd - roiStart + endPixel, 1);
  const binSize = f(roiSize / pooled);
  const bins: PoolAxisBins =
      {start: new Int32Array(pooled), end: new Int32Array(pooled)};
  const clip = (v: number) => Math.min(Math.max(v, 0), size);
  for (let b = 0; b < pooled; b++) {
    bins.start[b] = clip(Math.floor(f(b * binSize)) + roiStart);
    bins.end[b] = clip(Math.ceil(f((b + 1) * binSize)) + roiStart);
  }
  return bins;
}

export interface PoolBoxBins {
  batch: number;
  y: PoolAxisBins;
  x: PoolAxisBins;
}

/**
 * Bins of RoIPool box k, or null when the box reads nothing (as for RoIAlign).
 *
 * positionSensitive: torchvision's ps_roi_pool bins instead, with no end
 * pixel in the size and bins clipped to [0, size - 1], so the map's last row
 * and column are never read. (torchvision's ps_roi_pool backward clips to
 * [0, size]; this package follows its forward, so that the gradient is the
 * forward's derivative.)
 */
export function poolBoxBins(
    g: Pick<AlignGeometry, 'height'|'width'|'batch'|'pooledHeight'|'pooledWidth'|
            'spatialScale'>,
    boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    k: number, positionSensitive = false): PoolBoxBins|null {
  const box = readableBox(g.batch, boxes, boxIndices, k);
  if (box === null) return null;
  const {batch, x1, y1, x2, y2} = box;
  const endPixel = positionSensitive ? 0 : 1, lastPixelCut = positionSensitive ? 1 : 0;
  return {
    batch,
    y: poolAxisBins(y1, y2, g.pooledHeight, g.height - lastPixelCut, g.spatialScale, endPixel),
    x: poolAxisBins(x1, x2, g.pooledWidth, g.width - lastPixelCut, g.spatialScale, endPixel),
  };
}

/**
 * One axis of one RoIAlign box with each bin's samples merged onto the pixels
 * they read. Because a sample's weight on a pixel is (row weight) x (column
 * weight) and a sample is inside exactly when its row and its column are, a
 * bin's sum over its gridH x gridW samples equals the sum over the pixels
 * (row tap) x (column tap) of the product of the taps' summed weights. Small
 * bins read few distinct pixels, so this does less work than visiting every
 * sample's four corners, and the result is the same sum.
 */
export interface AxisBinTaps {
  /** Bin b's taps are [first[b], first[b + 1]); length pooled + 1. */
  first: Int32Array;
  /** Pixel index along the axis, distinct within a bin. */
  index: Int32Array;
  /** Sum of the bin's inside samples' corner weights on that pixel. */
  weight: Float64Array;
  /**
   * 1 when a corner of weight 0 (a sample exactly on a pixel, or clamped to
   * the last one) is among those merged into the tap. torchvision reads such
   * a corner and multiplies it by 0, so an infinite pixel there makes the
   * bin NaN, where the merged weight times Infinity is only infinite; the
   * kernels restore torchvision's NaN from this flag
   * (kernels/cpu/roi_align_taps.ts zeroWeightNaN).
   */
  zero: Uint8Array;
  /** d(weight) / d(box start and end coordinate, in image units). */
  dStart: Float64Array;
  dEnd: Float64Array;
}

/** The taps of `axis` (from alignAxisSamples), bin by bin; `reuse` as above. */
export function axisBinTaps(axis: AxisSamples, pooled: number, reuse?: AxisBinTaps): AxisBinTaps {
  const capacity = 2 * axis.grid * pooled;
  let taps: AxisBinTaps;
  if (reuse === undefined || reuse.index.length < capacity || reuse.first.length < pooled + 1) {
    const size = Math.max(capacity, reuse === undefined ? 0 : 2 * reuse.index.length);
    taps = {
      first: new Int32Array(pooled + 1),
      index: new Int32Array(size),
      weight: new Float64Array(size),
      zero: new Uint8Array(size),
      dStart: new Float64Array(size),
      dEnd: new Float64Array(size),
    };
  } else {
    taps = reuse;
    taps.weight.fill(0, 0, capacity);
    taps.zero.fill(0, 0, capacity);
    taps.dStart.fill(0, 0, capacity);
    taps.dEnd.fill(0, 0, capacity);
  }
  let n = 0;
  for (let bin = 0; bin < pooled; bin++) {
    const first = n;
    taps.first[bin] = first;
    for (let i = bin * axis.grid; i < (bin + 1) * axis.grid; i++) {
      if (axis.inside[i] !== 1) continue;
      for (let upper = 0; upper < 2; upper++) {
        const index = upper ? axis.high[i] : axis.low[i];
        const weight = upper ? axis.highWeight[i] : axis.lowWeight[i];
        let t = n - 1;
        while (t >= first && taps.index[t] !== index) t--;
        if (t < first) {
          t = n++;
          taps.index[t] = index;
        }
        if (weight === 0) taps.zero[t] = 1;
        // A corner's weight moves opposite to its sample's position for the
        // lower corner (1 - frac) and with it for the upper one (frac).
        const sign = upper ? 1 : -1;
        taps.weight[t] += weight;
        taps.dStart[t] += sign * axis.dStart[i];
        taps.dEnd[t] += sign * axis.dEnd[i];
      }
    }
  }
  taps.first[pooled] = n;
  return taps;
}

/**
 * Position-sensitive ops: the input channel that output channel c of bin
 * (ph, pw) reads, torchvision's channel_mapping ((c * outH + ph) * outW + pw).
 */
export function psInputChannel(
    c: number, ph: number, pw: number, pooledHeight: number, pooledWidth: number): number {
  return (c * pooledHeight + ph) * pooledWidth + pw;
}

/**
 * Where one bilinear sample reads along one axis: the rule every RoIAlign
 * variant shares (alignAxisSamples for axis-aligned boxes, rotatedBoxSamples
 * for rotated ones).
 */
export interface AxisCorner {
  /** False when the position lies outside [-1, size] (or is NaN). */
  inside: boolean;
  low: number;
  high: number;
  lowWeight: number;
  highWeight: number;
  /** False where the position is clamped: it then does not move with the box. */
  moves: boolean;
}

export function emptyAxisCorner(): AxisCorner {
  return {inside: false, low: 0, high: 0, lowWeight: 0, highWeight: 0, moves: false};
}

/**
 * The corners of a sample at float32 position `pos` on an axis of `size`
 * pixels, written into `out`: outside [-1, size] it reads nothing; inside,
 * the position clamps to [0, size - 1].
 */
export function axisCorner(pos: number, size: number, out: AxisCorner): AxisCorner {
  // Written as !(inside) so that a NaN position counts as outside. An axis
  // of no pixels has no inside: clamping to [0, size - 1] would read pixel -1.
  if (!(pos >= -1 && pos <= size) || size <= 0) {
    out.inside = false;
    out.low = out.high = 0;
    out.lowWeight = out.highWeight = 0;
    out.moves = false;
    return out;
  }
  out.inside = true;
  let moves = true;
  if (pos <= 0) {
    moves = pos === 0;
    pos = 0;
  }
  let low = Math.floor(pos);
  let high: number;
  if (low >= size - 1) {
    low = high = size - 1;
    pos = low;
    moves = false;
  } else {
    high = low + 1;
  }
  const frac = f(pos - low);
  out.low = low;
  out.high = high;
  out.lowWeight = f(1 - frac);
  out.highWeight = frac;
  out.moves = moves;
  return out;
}

export type AngleUnit = 'degrees'|'radians';

/** The attributes of RoIAlignRotated that shape its sampling. */
export interface RotatedGeometry extends Omit<AlignGeometry, 'aligned'> {
  angleUnit: AngleUnit;
  clockwise: boolean;
}

/** The number of box parameters of a rotated box: (cx, cy, w, h, angle). */
export const ROTATED_BOX_FIELDS = 5;

/** d(theta in radians, counter-clockwise) / d(the box's angle). */
export function radiansPerAngle(angleUnit: AngleUnit, clockwise: boolean): number {
  return (angleUnit === 'degrees' ? Math.PI / 180 : 1) * (clockwise ? -1 : 1);
}

/**
 * Where one rotated box sits, before any sample is placed: everything about
 * it that its bins share.
 */
export interface RotatedBoxFrame {
  batch: number;
  gridH: number;
  gridW: number;
  /** The mean's divisor: max(gridH * gridW, 1). */
  count: number;
  /** spatialScale as float32, and d(theta) / d(angle). */
  scale: number;
  thetaScale: number;
  centerX: number;
  centerY: number;
  cos: number;
  sin: number;
  binH: number;
  binW: number;
  /** The box's top-left corner in its own frame: (-h/2, -w/2). */
  startH: number;
  startW: number;
}

/**
 * Rotated box k's frame, or null when it reads nothing (a non-finite
 * parameter or a batch index outside [0, batch)). boxes is [K,5] (cx, cy, w,
 * h, angle) in image coordinates. A box whose adaptive grid passes the cap
 * gets grid 0 (binGrid): it reads nothing either, but is not null.
 *
 * detectron2's ROIAlignRotated, in its float32 order of operations: the
 * centre shifted by half a pixel (always), no minimum size, bins and samples
 * laid out in the box's own frame from its top-left corner (-w/2, -h/2), then
 * rotated by theta counter-clockwise (in (row, column) terms) about the
 * centre. mmcv's clockwise option negates theta.
 */
export function rotatedBoxFrame(
    g: RotatedGeometry, boxes: ArrayLike<number>, boxIndices: ArrayLike<number>,
    k: number): RotatedBoxFrame|null {
  const batch = boxIndices[k];
  const at = ROTATED_BOX_FIELDS * k;
  const cx = boxes[at], cy = boxes[at + 1], w = boxes[at + 2], h = boxes[at + 3], angle = boxes[at + 4];
  if (!(batch >= 0 && batch < g.batch) || !isFinite(cx) || !isFinite(cy) || !isFinite(w) ||
      !isFinite(h) || !isFinite(angle)) {
    return null;
  }
  const scale = f(g.spatialScale);
  const roiWidth = f(w * scale);
  const roiHeight = f(h * scale);
  // Degrees convert in double (C++'s M_PI) before the float32 rounding.
  const ccw = g.angleUnit === 'degrees' ? f(angle * Math.PI / 180) : angle;
  const theta = g.clockwise ? -ccw : ccw;
  const binH = f(roiHeight / g.pooledHeight);
  const binW = f(roiWidth / g.pooledWidth);
  const gridH = binGrid(g.samplingRatio, binH);
  const gridW = binGrid(g.samplingRatio, binW);
  return {
    batch, gridH, gridW, count: Math.max(gridH * gridW, 1), scale,
    thetaScale: radiansPerAngle(g.angleUnit, g.clockwise),
    centerX: f(f(cx * scale) - 0.5),
    centerY: f(f(cy * scale) - 0.5),
    cos: f(Math.cos(theta)),
    sin: f(Math.sin(theta)),
    binH, binW,
    startH: f(-roiHeight / 2),
    startW: f(-roiWidth / 2),
  };
}

/**
 * The samples of one bin of a rotated box, numbered iy * gridW + ix, as
 * per-sample tables (no object per sample: a bin may hold a million). A
 * sample is inside when both its row and its column are; an outside
 * sample's corners and weights are 0. One bin at a time, so that the storage
 * is bounded by the cap, not by the output size.
 */
export interface RotatedBinSamples {
  /** Samples in the bin: gridH * gridW. */
  n: number;
  inside: Uint8Array;
  /** The corners' rows and columns, and their bilinear weights. */
  rowLow: Int32Array;
  rowHigh: Int32Array;
  colLow: Int32Array;
  colHigh: Int32Array;
  rowLowWeight: Float64Array;
  rowHighWeight: Float64Array;
  colLowWeight: Float64Array;
  colHighWeight: Float64Array;
  /**
   * d(row position) and d(column position) / d(cx, cy, w, h, angle), five
   * per sample, zero where that axis's position is clamped.
   */
  dRow: Float64Array;
  dCol: Float64Array;
}

function rotatedBinStorage(n: number): RotatedBinSamples {
  return {
    n, inside: new Uint8Array(n),
    rowLow: new Int32Array(n), rowHigh: new Int32Array(n), colLow: new Int32Array(n), colHigh: new Int32Array(n),
    rowLowWeight: new Float64Array(n), rowHighWeight: new Float64Array(n),
    colLowWeight: new Float64Array(n), colHighWeight: new Float64Array(n),
    dRow: new Float64Array(ROTATED_BOX_FIELDS * n), dCol: new Float64Array(ROTATED_BOX_FIELDS * n),
  };
}

/** The samples of bin (ph, pw) of `box`, in `reuse`'s storage when it is large enough. */
export function rotatedBinSamples(
    g: RotatedGeometry, box: RotatedBoxFrame, ph: number, pw: number,
    reuse?: RotatedBinSamples): RotatedBinSamples {
  const {gridH, gridW, scale, thetaScale, cos, sin, binH, binW} = box;
  const n = gridH * gridW;
  let out: RotatedBinSamples;
  if (reuse === undefined || reuse.inside.length < n) {
    out = rotatedBinStorage(n);
  } else {
    out = reuse;
    out.n = n;
    out.dRow.fill(0, 0, ROTATED_BOX_FIELDS * n);
    out.dCol.fill(0, 0, ROTATED_BOX_FIELDS * n);
  }
  const row = emptyAxisCorner(), col = emptyAxisCorner();
  const binStartH = alignBinStart(box.startH, binH, ph);
  const binStartW = alignBinStart(box.startW, binW, pw);
  let i = 0;
  for (let iy = 0; iy < gridH; iy++) {
    const yy = alignSamplePosition(binStartH, binH, gridH, iy);
    // Laid out as an aligned box's samples from (-w/2, -h/2);
    // yy = roiHeight * alongH, the sample's offset from the centre.
    const alongH = (ph + (iy + 0.5) / gridH) / g.pooledHeight - 0.5;
    for (let ix = 0; ix < gridW; ix++, i++) {
      const xx = alignSamplePosition(binStartW, binW, gridW, ix);
      const alongW = (pw + (ix + 0.5) / gridW) / g.pooledWidth - 0.5;
      const y = f(f(f(yy * cos) - f(xx * sin)) + box.centerY);
      const x = f(f(f(yy * sin) + f(xx * cos)) + box.centerX);
      axisCorner(y, g.height, row);
      axisCorner(x, g.width, col);
      const inside = row.inside && col.inside;
      out.inside[i] = inside ? 1 : 0;
      out.rowLow[i] = inside ? row.low : 0;
      out.rowHigh[i] = inside ? row.high : 0;
      out.colLow[i] = inside ? col.low : 0;
      out.colHigh[i] = inside ? col.high : 0;
      out.rowLowWeight[i] = inside ? row.lowWeight : 0;
      out.rowHighWeight[i] = inside ? row.highWeight : 0;
      out.colLowWeight[i] = inside ? col.lowWeight : 0;
      out.colHighWeight[i] = inside ? col.highWeight : 0;
      if (!inside) continue;
      const d = ROTATED_BOX_FIELDS * i;
      if (row.moves) {
        // y = yy cos - xx sin + cy * scale - 0.5
        out.dRow[d + 1] = scale;
        out.dRow[d + 2] = -scale * alongW * sin;
        out.dRow[d + 3] = scale * alongH * cos;
        out.dRow[d + 4] = (-yy * sin - xx * cos) * thetaScale;
      }
      if (col.moves) {
        // x = yy sin + xx cos + cx * scale - 0.5
        out.dCol[d] = scale;
        out.dCol[d + 2] = scale * alongW * cos;
        out.dCol[d + 3] = scale * alongH * sin;
        out.dCol[d + 4] = (yy * cos - xx * sin) * thetaScale;
      }
    }
  }
  return out;
}
