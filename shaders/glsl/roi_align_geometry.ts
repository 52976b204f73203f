/**
 * The one GLSL definition of RoIAlign's sampling geometry, used by the forward
 * program, the dx gather and the box gradient alike. It follows
 * src/geometry.ts (alignAxisSamples) rule for rule and in the same float32
 * order of operations: box, then bins, then sample positions, then the two
 * corners and their weights per axis.
 *
 * The geometry is separable: a sample of bin (ph, pw) pairs row sample
 * t = ph * gridH + iy with column sample u = pw * gridW + ix, and is outside
 * the map exactly when its row or its column is.
 */

import {MAX_SAMPLES_PER_BIN_AXIS} from '../../src/limits';

/** Needs the uniforms of ROI_ALIGN_UNIFORMS and EXACT_ARITHMETIC_GLSL. */
export const ROI_ALIGN_GEOMETRY_GLSL = `
// The adaptive grid's cap (src/limits.ts): a box whose bins need more samples
// than this along an axis reads nothing, so that no box can make a draw run
// for hours (or trip the OS GPU watchdog).
const int ROI_MAX_SAMPLES_PER_BIN_AXIS = ${MAX_SAMPLES_PER_BIN_AXIS};

// Samples per bin along an axis: the fixed ratio, or ceil(binSize), which is
// torchvision's ceil(extent / pooled) for the exactly rounded binSize; 0 (no
// samples) for a bin size that is not positive, and 0 too, meaning the box
// reads nothing, when it is not finite or the grid would exceed the cap.
int roiAlignGrid(float binSize) {
  if (roiSamplingRatio > 0) return roiSamplingRatio;
  if ((floatBitsToUint(binSize) & 0x7f800000u) == 0x7f800000u) return 0;
  if (!(binSize > 0.0)) return 0;
  float grid = ceil(binSize);
  // Compared in float, so that the conversion to int cannot overflow.
  return grid > float(ROI_MAX_SAMPLES_PER_BIN_AXIS) ? 0 : int(grid);
}

// One axis of one box.
struct RoIAlignAxis {
  float start;       // the box's start in feature-map units
  float binSize;
  int grid;          // samples per bin; 0 means none (then the box reads nothing)
  int pooled;
  int size;          // the feature map's extent
  bool sizeClamped;  // an unaligned box under one pixel, widened to one
};

RoIAlignAxis roiAlignAxis(float boxStart, float boxEnd, int pooled, int size) {
  float shift = roiAligned == 1 ? 0.5 : 0.0;
  RoIAlignAxis a;
  a.start = boxStart * roiScale - shift;
  float end = boxEnd * roiScale - shift;
  float extent = end - a.start;
  a.sizeClamped = roiAligned == 0 && extent < 1.0;
  if (a.sizeClamped) extent = 1.0;
  a.binSize = roiExactQuotient(extent, pooled);
  a.grid = roiAlignGrid(a.binSize);
  a.pooled = pooled;
  a.size = size;
  return a;
}

// Sample t of an axis: its two corners, their bilinear weights, and how its
// position moves with the box's start and end (0 where it is clamped).
struct RoIAlignSample {
  bool inside;
  int low;
  int high;
  float lowWeight;
  float highWeight;
  float dStart;
  float dEnd;
};

// The corners of a sample at position pos on an axis of size pixels (the
// rule of src/geometry.ts axisCorner), with dStart and dEnd left 0. Returns
// whether the position moves with the box: false outside or where clamped.
bool roiAxisCorner(float pos, int size, out RoIAlignSample r) {
  r = RoIAlignSample(false, 0, 0, 0.0, 0.0, 0.0, 0.0);
  // Written as !(inside) so that a NaN position counts as outside.
  if (!(pos >= -1.0 && pos <= float(size))) return false;
  r.inside = true;
  bool moves = true;
  if (pos <= 0.0) {
    moves = pos == 0.0;
    pos = 0.0;
  }
  r.low = int(floor(pos));
  if (r.low >= size - 1) {
    r.low = size - 1;
    r.high = r.low;
    pos = float(r.low);
    moves = false;
  } else {
    r.high = r.low + 1;
  }
  float frac = pos - float(r.low);
  r.lowWeight = 1.0 - frac;
  r.highWeight = frac;
  return moves;
}

RoIAlignSample roiAlignSample(RoIAlignAxis a, int t) {
  int bin = t / a.grid;
  int s = t - bin * a.grid;
  float binStart = a.start + float(bin) * a.binSize;
  float pos = binStart + roiExactQuotient((float(s) + 0.5) * a.binSize, a.grid);
  RoIAlignSample r;
  if (roiAxisCorner(pos, a.size, r)) {
    // pos = start + (bin + (s + 0.5) / grid) * (end - start) / pooled
    float along = (float(bin) + (float(s) + 0.5) / float(a.grid)) / float(a.pooled);
    r.dStart = (a.sizeClamped ? 1.0 : 1.0 - along) * roiScale;
    r.dEnd = (a.sizeClamped ? 0.0 : along) * roiScale;
  }
  return r;
}

// The weight sample s gives to pixel index along its axis. Both terms count
// when the sample is clamped to the last pixel (low == high).
float roiCornerWeight(RoIAlignSample s, int index) {
  if (!s.inside) return 0.0;
  return (s.low == index ? s.lowWeight : 0.0) + (s.high == index ? s.highWeight : 0.0);
}

// 'max' mode's winners are kept as the sample's index in its bin,
// iy * gridW + ix (-1 for an empty bin); these are its row and column samples.
ivec2 roiAlignWinnerSamples(RoIAlignAxis ay, RoIAlignAxis ax, int ph, int pw, int inBin) {
  int iy = inBin / ax.grid;
  return ivec2(ph * ay.grid + iy, pw * ax.grid + inBin - iy * ax.grid);
}

// A cheap first test for the gathers, before any division: whether a box
// spanning [boxStart, boxEnd] along this axis may have a sample with pixel
// index as a corner. Samples lie between the box's start and its end (one
// pixel on from the start for an unaligned box under a pixel); the margin of
// two covers the corners' reach, the clamping to [0, size - 1] (which only
// moves a sample towards the map) and rounding.
bool roiAlignMayTouch(float boxStart, float boxEnd, int index) {
  float shift = roiAligned == 1 ? 0.5 : 0.0;
  float start = boxStart * roiScale - shift;
  float end = boxEnd * roiScale - shift;
  if (roiAligned == 0) end = max(end, start + 1.0);
  float at = float(index);
  return at >= floor(min(start, end)) - 2.0 && at <= ceil(max(start, end)) + 2.0;
}

// The samples t that may have a pixel in [lowIndex, highIndex] as a corner,
// as [first, last] (empty when first > last); callers decide each exactly
// (roiCornerWeight). A sample touches index only from [index - 1, index + 1]
// (which also covers the clamped stretches [-1, 0] and [size - 1, size]).
// Positions follow start + (t + 0.5) * binSize / grid up to rounding, so the
// line is inverted and widened by the rounding of both the positions and the
// inversion, as the WGSL geometry's roiAxisWindow does (its slack, clamps
// and guards): the window is then a superset of the exact one for any
// finite box, and monotonic positions make it contiguous.
ivec2 roiAlignCandidateRange(RoIAlignAxis a, int lowIndex, int highIndex) {
  int count = a.pooled * a.grid;
  // Positions that overflowed are NaN or infinite: no sample is inside.
  if (count <= 0 || !roiFinite(a.start) || !roiFinite(a.binSize)) return ivec2(1, 0);
  float spacing = a.binSize / float(a.grid);
  // Zero, negative or vanishing bins (aligned boxes with end <= start) put
  // the samples at or before the start, or on top of each other: look at all
  // of them. Only a fixed ratio or a one-sample grid gets here, so the
  // count is small.
  if (!(spacing >= 1e-30)) return ivec2(0, count - 1);
  // Each position is a few float32 roundings of values no larger than this,
  // each off by at most 2^-24 of it; 2^-20 leaves a wide margin.
  float magnitude = abs(a.start) + abs(a.binSize) * float(a.pooled) + float(a.size) + 2.0;
  float slack = magnitude * 9.5367431640625e-7;
  // Offsets are clamped to a few samples past the range before dividing, so
  // that no quotient overflows and the conversions to int stay in range.
  float span = spacing * (float(count) + 3.0);
  float tLow = clamp(float(lowIndex - 1) - slack - a.start, -span, span) / spacing - 0.5;
  float tHigh = clamp(float(highIndex + 1) + slack - a.start, -span, span) / spacing - 0.5;
  tLow = clamp(tLow, -2.0, float(count) + 1.0);
  tHigh = clamp(tHigh, -2.0, float(count) + 1.0);
  // The inversion's own rounding (GLSL's division may be 2.5 ulp off) is
  // relative to |t|. floor and ceil already keep every sample within one of
  // the exact bounds, so a widening of one covers any error under two.
  float widen = max(1.0, ceil(max(abs(tLow), abs(tHigh)) * 9.5367431640625e-7));
  return ivec2(max(int(floor(tLow - widen)), 0), min(int(ceil(tHigh + widen)), count - 1));
}

// The samples that may have pixel index as a corner (roiAlignCandidateRange).
ivec2 roiAlignCandidates(RoIAlignAxis a, int index) {
  return roiAlignCandidateRange(a, index, index);
}
`;

/**
 * The cull pass's reach of a RoIAlign box (roiCullShader): the pixels that
 * roiAlignMayTouch lets through, in the same float32 operations. Needs the
 * box table's reader (BOX_GLSL) and REACH_RANGE_GLSL.
 */
export const ROI_ALIGN_REACH_GLSL = `
int roiBoxImage(int k) {
  return int(roiReadBoxField(k, 0));
}

ivec4 roiBoxReach(int k) {
  float shift = roiAligned == 1 ? 0.5 : 0.0;
  // x1, y1, x2, y2 in feature-map units
  vec4 b = vec4(roiReadBoxField(k, 1), roiReadBoxField(k, 2), roiReadBoxField(k, 3), roiReadBoxField(k, 4));
  b = b * roiScale - shift;
  if (roiAligned == 0) b.zw = max(b.zw, b.xy + 1.0);
  return ivec4(roiReachRange(min(b.y, b.w), max(b.y, b.w), 2.0, roiXDims.y),
               roiReachRange(min(b.x, b.z), max(b.x, b.z), 2.0, roiXDims.z));
}
`;

/**
 * The cull pass's reach of a rotated box: the rotated rectangle's bounding
 * box, widened by the corners' reach and a relative slack for rounding.
 * Needs ROI_ALIGN_ROTATED_GEOMETRY_GLSL and REACH_RANGE_GLSL.
 */
export const ROI_ALIGN_ROTATED_REACH_GLSL = `
int roiBoxImage(int k) {
  return int(roiRotatedField(k, 0));
}

ivec4 roiBoxReach(int k) {
  RoIRotatedBox b = roiRotatedBox(k);
  float c = abs(b.cosTheta), s = abs(b.sinTheta);
  float halfH = abs(b.height) * 0.5, halfW = abs(b.width) * 0.5;
  vec2 reach = vec2(c * halfH + s * halfW, s * halfH + c * halfW);
  vec2 margin = 2.0 + 1e-3 * (abs(vec2(b.centerY, b.centerX)) + reach);
  return ivec4(roiReachRange(b.centerY - reach.x, b.centerY + reach.x, margin.x, roiXDims.y),
               roiReachRange(b.centerX - reach.y, b.centerX + reach.y, margin.y, roiXDims.z));
}
`;

/**
 * Reading samples of x: values, slopes and the 'max' mode winner. Needs
 * ROI_ALIGN_GEOMETRY_GLSL and the reader of roiX.
 */
export const ROI_ALIGN_SAMPLING_GLSL = `
// The four corners of a sample in channel c: (low|high row) x (low|high col)
// as (v00, v01, v10, v11). imageBase is the flat offset of the box's image.
vec4 roiAlignCorners(int imageBase, RoIAlignSample sy, RoIAlignSample sx, int c) {
  int rowStride = roiXDims.z * roiXDims.w;
  int rowLow = imageBase + sy.low * rowStride;
  int rowHigh = imageBase + sy.high * rowStride;
  int colLow = sx.low * roiXDims.w + c;
  int colHigh = sx.high * roiXDims.w + c;
  return vec4(readRoiX(rowLow + colLow), readRoiX(rowLow + colHigh),
              readRoiX(rowHigh + colLow), readRoiX(rowHigh + colHigh));
}

// The interpolated value, 0 outside the map. torchvision's sum
// w1 v1 + w2 v2 + w3 v3 + w4 v4 over the four corners as it picks them
// (roiAxisCorner), zero weights included, so that an Inf or NaN in a corner
// of weight 0 gives NaN (0 * Inf) exactly where torchvision's does.
float roiAlignValue(int imageBase, RoIAlignSample sy, RoIAlignSample sx, int c) {
  if (!sy.inside || !sx.inside) return 0.0;
  vec4 v = roiAlignCorners(imageBase, sy, sx, c);
  vec4 weights = vec4(sy.lowWeight * sx.lowWeight, sy.lowWeight * sx.highWeight,
                      sy.highWeight * sx.lowWeight, sy.highWeight * sx.highWeight);
  return weights.x * v.x + weights.y * v.y + weights.z * v.z + weights.w * v.w;
}

// d(value) / d(row position) and d(value) / d(column position).
float roiSlopeAlongRows(vec4 v, RoIAlignSample sx) {
  return sx.lowWeight * (v.z - v.x) + sx.highWeight * (v.w - v.y);
}

float roiSlopeAlongCols(vec4 v, RoIAlignSample sy) {
  return sy.lowWeight * (v.y - v.x) + sy.highWeight * (v.w - v.z);
}

// 'max' mode: the sample of bin (ph, pw) with the largest value in channel c,
// the first one on ties, outside samples counting as 0; row -1 for an empty
// bin. row and col index the axes' samples (roiAlignSample).
struct RoIAlignWinner {
  int row;
  int col;
  float value;
};

RoIAlignWinner roiAlignBinMax(
    int imageBase, RoIAlignAxis ay, RoIAlignAxis ax, int ph, int pw, int c) {
  RoIAlignWinner best = RoIAlignWinner(-1, -1, 0.0);
  for (int iy = 0; iy < ay.grid; iy++) {
    int row = ph * ay.grid + iy;
    RoIAlignSample sy = roiAlignSample(ay, row);
    for (int ix = 0; ix < ax.grid; ix++) {
      int col = pw * ax.grid + ix;
      float v = roiAlignValue(imageBase, sy, roiAlignSample(ax, col), c);
      if (best.row < 0 || v > best.value) best = RoIAlignWinner(row, col, v);
    }
  }
  return best;
}
`;

/**
 * 'avg' reduction of one bin, shared by RoIAlign and psRoiAlign. Needs
 * ROI_ALIGN_SAMPLING_GLSL.
 */
export const ROI_ALIGN_BIN_MEAN_GLSL = `
// The mean of bin (ph, pw)'s samples in channel c: outside samples add 0
// but count.
float roiAlignBinMean(int imageBase, RoIAlignAxis ay, RoIAlignAxis ax, int ph, int pw, int c) {
  float sum = 0.0;
  for (int iy = 0; iy < ay.grid; iy++) {
    RoIAlignSample sy = roiAlignSample(ay, ph * ay.grid + iy);
    if (!sy.inside) continue;
    for (int ix = 0; ix < ax.grid; ix++) {
      sum += roiAlignValue(imageBase, sy, roiAlignSample(ax, pw * ax.grid + ix), c);
    }
  }
  return sum / float(max(ay.grid * ax.grid, 1));
}
`;

/**
 * RoIAlignRotated's geometry in GLSL, after src/geometry.ts rotatedBoxSamples:
 * the box's frame (centre shifted by half a pixel, bins from (-w/2, -h/2)),
 * each sample rotated about the centre, then roiAxisCorner per axis. Reads
 * boxes from the rotated box table (boxTableShader(5): image or -1, cx, cy,
 * w, h, angle). Needs ROI_ALIGN_GEOMETRY_GLSL, EXACT_ARITHMETIC_GLSL, the
 * reader of roiBoxTable and ROI_ALIGN_ROTATED_UNIFORMS.
 */
export const ROI_ALIGN_ROTATED_GEOMETRY_GLSL = `
// (cos, sin) of theta to float32 accuracy. The built-ins may be off by
// 2^-11 (the bound Vulkan allows), which would move the samples of a box ten
// pixels wide by 0.005 pixels. A quarter turn is taken out in two parts
// (float(pi / 2) and the rest), then Taylor series on [-pi/4, pi/4].
vec2 roiCosSin(float theta) {
  float q = floor(theta * 0.63661977 + 0.5);
  float r = (theta - q * 1.5707963705062866) + q * 4.371139000186243e-8;
  float r2 = r * r;
  float s = r * (1.0 + r2 * (-1.6666667e-1 + r2 * (8.3333333e-3 + r2 * (-1.9841270e-4 + r2 * 2.7557319e-6))));
  float c = 1.0 + r2 * (-0.5 + r2 * (4.1666667e-2 + r2 * (-1.3888889e-3 + r2 * (2.4801587e-5 - r2 * 2.7557319e-7))));
  int quadrant = int(q) & 3;
  if (quadrant == 0) return vec2(c, s);
  if (quadrant == 1) return vec2(-s, c);
  if (quadrant == 2) return vec2(-c, -s);
  return vec2(s, -c);
}

struct RoIRotatedBox {
  int batch;  // -1: the box reads nothing
  float centerX;
  float centerY;
  float width;
  float height;
  float cosTheta;
  float sinTheta;
  float binH;
  float binW;
  int gridH;
  int gridW;
};

float roiRotatedField(int k, int field) {
  return readRoiBoxTable(6 * k + field);
}

RoIRotatedBox roiRotatedBox(int k) {
  RoIRotatedBox b;
  b.batch = int(roiRotatedField(k, 0));
  b.centerX = roiRotatedField(k, 1) * roiScale - 0.5;
  b.centerY = roiRotatedField(k, 2) * roiScale - 0.5;
  b.width = roiRotatedField(k, 3) * roiScale;
  b.height = roiRotatedField(k, 4) * roiScale;
  vec2 cosSin = roiCosSin(roiRotatedField(k, 5) * roiRadiansPerAngle);
  b.cosTheta = cosSin.x;
  b.sinTheta = cosSin.y;
  b.binH = roiExactQuotient(b.height, roiPooledSize.x);
  b.binW = roiExactQuotient(b.width, roiPooledSize.y);
  b.gridH = roiAlignGrid(b.binH);
  b.gridW = roiAlignGrid(b.binW);
  // Past the cap on either axis, the whole box reads nothing.
  if (b.gridH == 0 || b.gridW == 0) {
    b.gridH = 0;
    b.gridW = 0;
  }
  return b;
}

// Sample t along the box's height (t = ph * gridH + iy) and u along its
// width: its corners per axis, whether each axis's position moves with the
// box, and its offset (yy, xx) from the centre in the box's frame.
struct RoIRotatedSample {
  RoIAlignSample row;
  RoIAlignSample col;
  bool rowMoves;
  bool colMoves;
  float yy;
  float xx;
};

RoIRotatedSample roiRotatedSample(RoIRotatedBox b, int t, int u) {
  int ph = t / b.gridH, pw = u / b.gridW;
  int iy = t - ph * b.gridH, ix = u - pw * b.gridW;
  RoIRotatedSample s;
  // Halving by * 0.5 is exact; the other divisions go through roiExactQuotient.
  s.yy = -b.height * 0.5 + float(ph) * b.binH + roiExactQuotient((float(iy) + 0.5) * b.binH, b.gridH);
  s.xx = -b.width * 0.5 + float(pw) * b.binW + roiExactQuotient((float(ix) + 0.5) * b.binW, b.gridW);
  float y = s.yy * b.cosTheta - s.xx * b.sinTheta + b.centerY;
  float x = s.yy * b.sinTheta + s.xx * b.cosTheta + b.centerX;
  s.rowMoves = roiAxisCorner(y, roiXDims.y, s.row);
  s.colMoves = roiAxisCorner(x, roiXDims.z, s.col);
  return s;
}

// d(row position), d(column position) / d(box parameter j), j indexing
// (cx, cy, w, h, angle); 0 for an axis whose position is clamped.
vec2 roiRotatedMove(RoIRotatedBox b, RoIRotatedSample s, int t, int u, int j) {
  float alongH = (float(t) + 0.5) / float(b.gridH * roiPooledSize.x) - 0.5;
  float alongW = (float(u) + 0.5) / float(b.gridW * roiPooledSize.y) - 0.5;
  vec2 move;
  if (j == 0) {
    move = vec2(0.0, roiScale);
  } else if (j == 1) {
    move = vec2(roiScale, 0.0);
  } else if (j == 2) {
    move = roiScale * alongW * vec2(-b.sinTheta, b.cosTheta);
  } else if (j == 3) {
    move = roiScale * alongH * vec2(b.cosTheta, b.sinTheta);
  } else {
    move = roiRadiansPerAngle * vec2(-s.yy * b.sinTheta - s.xx * b.cosTheta, s.yy * b.cosTheta - s.xx * b.sinTheta);
  }
  return vec2(s.rowMoves ? move.x : 0.0, s.colMoves ? move.y : 0.0);
}

// The samples [x, y] (empty when x > y) of one axis of the box's frame,
// numbered from start with the given spacing, whose offset may lie in
// [lo, hi]; widened for rounding, callers decide exactly.
ivec2 roiFrameWindow(float start, float spacing, float lo, float hi, int count) {
  if (count <= 0) return ivec2(1, 0);
  if (!(spacing > 0.0)) return ivec2(0, count - 1);
  float slack = 1e-3 * (1.0 + abs(lo) + abs(hi));
  // Offsets are clamped before dividing, so that no quotient overflows and
  // the conversions to int stay in range.
  float span = spacing * (float(count) + 4.0);
  float first = floor(clamp(lo - slack - start, -span, span) / spacing - 0.5) - 1.0;
  float last = ceil(clamp(hi + slack - start, -span, span) / spacing - 0.5) + 1.0;
  if (!(last >= 0.0) || !(first <= float(count - 1))) return ivec2(1, 0);
  return ivec2(max(first, 0.0), min(last, float(count - 1)));
}

// The samples that may have pixel (h, w) as a corner: rows t in [x, y],
// columns u in [z, w]. A position reads (h, w) only from the rectangle
// [h - 1, h + 1] x [w - 1, w + 1] (stretched to -1 and to the map's end at
// the borders, where positions clamp); that rectangle, turned into the box's
// frame, bounds the offsets.
ivec4 roiRotatedCandidates(RoIRotatedBox b, int h, int w) {
  vec2 lo = vec2(h <= 1 ? -1.0 : float(h - 1), w <= 1 ? -1.0 : float(w - 1));
  vec2 hi = vec2(h >= roiXDims.y - 2 ? float(roiXDims.y) : float(h + 1),
                 w >= roiXDims.z - 2 ? float(roiXDims.z) : float(w + 1));
  vec2 mid = (lo + hi) * 0.5 - vec2(b.centerY, b.centerX);
  vec2 halfSide = (hi - lo) * 0.5;
  float c = abs(b.cosTheta), s = abs(b.sinTheta);
  float yy = b.cosTheta * mid.x + b.sinTheta * mid.y;
  float xx = -b.sinTheta * mid.x + b.cosTheta * mid.y;
  float yyReach = c * halfSide.x + s * halfSide.y;
  float xxReach = s * halfSide.x + c * halfSide.y;
  ivec2 rows = roiFrameWindow(
      -b.height / 2.0, b.binH / float(b.gridH), yy - yyReach, yy + yyReach, b.gridH * roiPooledSize.x);
  ivec2 cols = roiFrameWindow(
      -b.width / 2.0, b.binW / float(b.gridW), xx - xxReach, xx + xxReach, b.gridW * roiPooledSize.y);
  return ivec4(rows, cols);
}
`;

/** A reduction of the packed forward: 'avg' and 'max' give y, 'winner' the 'max' winners. */
export type BlockReduce = 'avg'|'max'|'winner';

/**
 * The packed forward's reductions of one 2 x 2 block of y, bins (ph, pw)
 * and (ph, pw + 1) (pw even) in channels c and c + 1, as xyzw = (pw, c),
 * (pw, c + 1), (pw + 1, c), (pw + 1, c + 1): tfjs's packed texel. The
 * block's bins share their row samples and the channels share all of the
 * geometry, which is computed once for the four; each component is the
 * scalar reduction's (roiAlignValue, roiAlignBinMean, roiAlignBinMax and its
 * winner) in the same float32 operations and order. Components past the
 * last bin or channel are 0.
 *
 * `vec4 roiAlignBlock<Reduce>(imageBase, ay, ax, ph, pw, c, secondBin,
 * secondChannel)`. With `ratio` 0 it loops over the axes' grids, reading
 * samples from roiBlockRowSample / roiBlockColSample (ROI_ALIGN_BLOCK_SAMPLES_GLSL,
 * ROI_ALIGN_TABLE_SAMPLES_GLSL or PAIRED_TABLE_SAMPLES_GLSL) and values from
 * roiAlignBinValuePair (blockValueGlsl, over a reader of x). With a fixed
 * ratio it is unrolled over the block's samples, read from the paired
 * sample table (ROI_ALIGN_PAIRED_TABLE_GLSL), with x packed
 * (ROI_ALIGN_PACKED_PAIR_VALUE_GLSL; roiTableBox set): a software
 * GPU such as SwiftShader runs every statement of a loop and keeps arrays
 * in memory, so the unrolled form reads each table texel once and works out
 * each texel address of x from a row part and a column part computed once
 * per fragment.
 */
export function blockReductionGlsl(reduce: BlockReduce, ratio: number): string {
  // What each reduction keeps, adds per sample v (sy: its row sample, sx0 and
  // sx1: its column samples in the two bins, index: its index in its bin)
  // and returns. 'avg' skips a row outside the map; 'max' counts an outside
  // sample as 0. mix() with a bvec selects, so NaN and Inf pass as
  // roiAlignBinMax's comparisons pass them.
  const steps: Record<BlockReduce, {init: string, skipOutsideRows: boolean, step: string, result: string}> = {
    // The mean divides by the grids (the uniform ratio, when unrolled): a
    // constant divisor may compile to a multiplication by its inexact
    // reciprocal (1 / 9 for ratio 3), a rounding off torchvision's.
    avg: {init: 'vec4 sum = vec4(0.0);', skipOutsideRows: true, step: 'sum += v;', result: 'sum / float(max(ay.grid * ax.grid, 1))'},
    max: {
      init: 'vec4 best = vec4(0.0);\n  bool first = true;',
      skipOutsideRows: false,
      step: 'best = first ? v : mix(best, v, greaterThan(v, best));\n  first = false;',
      result: 'best',
    },
    // Per component, the index in its bin of the 'max' sample, -1 where
    // that sample lies outside the map or the bin is empty, as
    // roiAlignBinMax's winner is passed on.
    winner: {
      init: 'vec4 best = vec4(0.0);\n  vec4 winner = vec4(-1.0);\n  bool first = true;',
      skipOutsideRows: false,
      step: `bvec4 better = first ? bvec4(true) : greaterThan(v, best);
  best = mix(best, v, better);
  float index = float(INDEX);
  bool firstInside = SY.inside && SX0.inside;
  bool secondInside = secondBin && SY.inside && SX1.inside;
  vec2 firstIndex = vec2(firstInside ? index : -1.0), secondIndex = vec2(secondInside ? index : -1.0);
  winner = mix(winner, vec4(firstIndex, secondIndex), better);
  first = false;`,
      result: 'winner',
    },
  };
  const {init, skipOutsideRows, step, result} = steps[reduce];
  const name = `roiAlignBlock${{avg: 'Mean', max: 'Max', winner: 'Winner'}[reduce]}`;
  const signature = `vec4 ${name}(int imageBase, RoIAlignAxis ay, RoIAlignAxis ax, int ph, int pw, int c,
                       bool secondBin, bool secondChannel)`;
  const fill = (text: string, sy: string, sx0: string, sx1: string, index: string) =>
      text.replace(/SY/g, sy).replace(/SX0/g, sx0).replace(/SX1/g, sx1).replace(/INDEX/g, index);
  if (ratio === 0) {
    const sx1 = 'roiBlockColSample(ax, pw + 1, ix)';
    return `
${signature} {
  ${init}
  for (int iy = 0; iy < ay.grid; iy++) {
    RoIAlignSample sy = roiBlockRowSample(ay, ph, iy);${skipOutsideRows ? '\n    if (!sy.inside) continue;' : ''}
    for (int ix = 0; ix < ax.grid; ix++) {
      RoIAlignSample sx0 = roiBlockColSample(ax, pw, ix);
      vec4 v = vec4(roiAlignBinValuePair(imageBase, sy, sx0, ph, pw, c, secondChannel),
                    secondBin ? roiAlignBinValuePair(imageBase, sy, ${sx1}, ph, pw + 1, c, secondChannel) : vec2(0.0));
      ${fill(step, 'sy', 'sx0', sx1, 'iy * ax.grid + ix')}
    }
  }
  return ${result};
}
`;
  }
  const value = (iy: number, bin: number, ix: number) =>
      `roiPackedXValue(rowSample${iy}, colSample${bin * ratio + ix}, rowParts${iy}, colParts${bin * ratio + ix}, secondChannel)`;
  let body = '';
  for (let iy = 0; iy < ratio; iy++) {
    let row = '';
    for (let ix = 0; ix < ratio; ix++) {
      row += `
  {
    vec4 v = vec4(${value(iy, 0, ix)},
                  secondBin ? ${value(iy, 1, ix)} : vec2(0.0));
    ${fill(step, `rowSample${iy}`, `colSample${ix}`, `colSample${ratio + ix}`, `${iy * ratio + ix}`)}
  }`;
    }
    body += skipOutsideRows ? `
  if (rowSample${iy}.inside) {${row}
  }` : row;
  }
  return `
${signature} {
  ${pairedBlockSamples(ratio)}
  ${init}${body}
  return ${result};
}
`;
}

/**
 * The block reductions' values at one sample of bin (ph, pw), in output
 * channels c and (if both) c + 1. RoIAlign's read input channels c, c + 1
 * as a pair (roiAlignValuePair). The position-sensitive ops' read input
 * channels roiInputChannel(c, ph, pw) and roiInputChannel(c + 1, ph, pw)
 * (channelMapGlsl(true)), outH * outW apart (roiAlignValueStep, from the
 * flat x only). Needs channelMapGlsl(positionSensitive).
 */
export function blockValueGlsl(positionSensitive: boolean): string {
  const body = positionSensitive ? `
  int first = roiInputChannel(c, ph, pw);
  return roiAlignValueStep(imageBase, sy, sx, first, roiInputChannel(c + 1, ph, pw) - first, both);` : `
  return roiAlignValuePair(imageBase, sy, sx, c, both);`;
  return `
vec2 roiAlignBinValuePair(int imageBase, RoIAlignSample sy, RoIAlignSample sx, int ph, int pw, int c, bool both) {${body}
}
`;
}

/**
 * The block reductions' samples, computed in the fragment (any sampling
 * ratio): sample iy of bin ph's rows, sample ix of bin pw's columns.
 */
export const ROI_ALIGN_BLOCK_SAMPLES_GLSL = `
RoIAlignSample roiBlockRowSample(RoIAlignAxis ay, int ph, int iy) {
  return roiAlignSample(ay, ph * ay.grid + iy);
}

RoIAlignSample roiBlockColSample(RoIAlignAxis ax, int pw, int ix) {
  return roiAlignSample(ax, pw * ax.grid + ix);
}
`;

/**
 * The sample table (samplingRatio > 0, where every box has ratio samples per
 * bin axis): each box's row samples t, then its column samples u, as
 * computed once by roiAlignSample, two floats each: the corners as
 * 2 * low + (high - low), or -1 outside, and highWeight (lowWeight is
 * 1 - highWeight, as roiAxisCorner computes it). The forward reads them
 * rather than recomputing them in every fragment that needs them.
 */
export const ROI_ALIGN_TABLE_ENTRY_GLSL = `
int roiSampleTableEntries() {
  return (roiPooledSize.x + roiPooledSize.y) * roiSamplingRatio;
}

vec2 roiSampleTableEntry(RoIAlignSample s) {
  return vec2(s.inside ? float(2 * s.low + s.high - s.low) : -1.0, s.highWeight);
}
`;

/**
 * A table entry (corners, highWeight) as a sample (an entry with corners < 0
 * is outside the map): shared by both table readers.
 */
const TABLE_SAMPLE_DECODE_GLSL = `
RoIAlignSample roiTableSample(vec2 e) {
  RoIAlignSample r = RoIAlignSample(false, 0, 0, 0.0, 0.0, 0.0, 0.0);
  if (e.x < 0.0) return r;
  int corners = int(e.x);
  r.inside = true;
  r.low = corners >> 1;
  r.high = r.low + (corners & 1);
  r.highWeight = e.y;
  r.lowWeight = 1.0 - e.y;
  return r;
}

`;

/**
 * The block reductions' samples read from the sample table (input
 * roiSampleTable, through its pair reader); roiTableBox is the box whose
 * samples these are, set by the forward's main().
 */
export const ROI_ALIGN_TABLE_SAMPLES_GLSL = `
int roiTableBox;

${TABLE_SAMPLE_DECODE_GLSL}
RoIAlignSample roiTableEntrySample(int entry) {
  return roiTableSample(readRoiSampleTablePair(2 * (roiTableBox * roiSampleTableEntries() + entry), true));
}

RoIAlignSample roiBlockRowSample(RoIAlignAxis ay, int ph, int iy) {
  return roiTableEntrySample(ph * ay.grid + iy);
}

RoIAlignSample roiBlockColSample(RoIAlignAxis ax, int pw, int ix) {
  return roiTableEntrySample(roiPooledSize.x * roiSamplingRatio + pw * ax.grid + ix);
}
`;

/** x's values at a sample, from the flat (unpacked) x. Needs the pair reader of roiX (flatPairReader). */
export const ROI_ALIGN_PAIR_VALUE_GLSL = `
// roiAlignValue in channels c and (if both) c + step.
vec2 roiAlignValueStep(int imageBase, RoIAlignSample sy, RoIAlignSample sx, int c, int step, bool both) {
  if (!sy.inside || !sx.inside) return vec2(0.0);
  int rowStride = roiXDims.z * roiXDims.w;
  int rowLow = imageBase + sy.low * rowStride;
  int rowHigh = imageBase + sy.high * rowStride;
  int colLow = sx.low * roiXDims.w + c;
  int colHigh = sx.high * roiXDims.w + c;
  vec2 v00 = readRoiXStep(rowLow + colLow, step, both), v01 = readRoiXStep(rowLow + colHigh, step, both);
  vec2 v10 = readRoiXStep(rowHigh + colLow, step, both), v11 = readRoiXStep(rowHigh + colHigh, step, both);
  vec4 weights = vec4(sy.lowWeight * sx.lowWeight, sy.lowWeight * sx.highWeight,
                      sy.highWeight * sx.lowWeight, sy.highWeight * sx.highWeight);
  return weights.x * v00 + weights.y * v01 + weights.z * v10 + weights.w * v11;
}

// roiAlignValue in channels c and (if both) c + 1.
vec2 roiAlignValuePair(int imageBase, RoIAlignSample sy, RoIAlignSample sx, int c, bool both) {
  return roiAlignValueStep(imageBase, sy, sx, c, 1, both);
}
`;

/**
 * x's values at a sample, from x in tfjs's packed layout (input roiX, a
 * packed [N * H, W, C]), read in place: a texel holds columns w, w + 1
 * (w even) of channels c, c + 1 (c even), so a sample's two corners of a
 * row are one texel or two. Sums as ROI_ALIGN_PAIR_VALUE_GLSL's; a channel
 * past the last reads the texel's padding, and gives 0.
 *
 * A texel's index, (n * H + row) * rowTexels + (column / 2) * channelPairs
 * + c / 2, is the sum of a row part and a column part, each split into
 * texture (column, row) once (roiPackedXRowParts, roiPackedXColumnParts)
 * and added with one carry (roiPackedXTexel): the unrolled block forward
 * splits each of its samples' parts once per fragment.
 */
export const ROI_ALIGN_PACKED_PAIR_VALUE_GLSL = `
int roiPackedXWidth() {
  return (roiXTexShape[1] + 1) / 2;
}

ivec2 roiPackedXSplit(int t) {
  int width = roiPackedXWidth();
  int row = t / width;
  return ivec2(t - row * width, row);
}

// The sum of two split parts, with its carry.
ivec2 roiPackedXAdd(ivec2 a, ivec2 b) {
  ivec2 texel = a + b;
  if (texel.x >= roiPackedXWidth()) texel += ivec2(-roiPackedXWidth(), 1);
  return texel;
}

// What a map row and a texel column of x add to a texel's index, split.
ivec4 roiPackedXSteps() {
  int channelPairs = (roiXDims.w + 1) / 2;
  return ivec4(roiPackedXSplit(((roiXDims.z + 1) / 2) * channelPairs), roiPackedXSplit(channelPairs));
}

// The row parts of a row sample's two corner rows (low, high) in channels c, c + 1 of image
// imageBase; the high row is the low row or the next (steps: roiPackedXSteps()).
ivec4 roiPackedXRowParts(int imageBase, RoIAlignSample sy, int c, ivec4 steps) {
  int rowTexels = ((roiXDims.z + 1) / 2) * ((roiXDims.w + 1) / 2);
  ivec2 low = roiPackedXSplit((imageBase * roiXDims.y + sy.low) * rowTexels + c / 2);
  return ivec4(low, sy.high > sy.low ? roiPackedXAdd(low, steps.xy) : low);
}

// The column parts of a column sample's two corner columns (low, high), a texel column or two.
ivec4 roiPackedXColumnParts(RoIAlignSample sx, ivec4 steps) {
  ivec2 low = roiPackedXSplit((sx.low / 2) * ((roiXDims.w + 1) / 2));
  return ivec4(low, sx.high / 2 > sx.low / 2 ? roiPackedXAdd(low, steps.zw) : low);
}

vec4 roiPackedXTexel(ivec2 rowPart, ivec2 columnPart) {
  return texelFetch(roiX, roiPackedXAdd(rowPart, columnPart), 0);
}

// Channels c, c + 1 at the sample's two corner columns in one corner row, as (low c, low c + 1, high c, high c + 1).
vec4 roiPackedXRow(ivec2 rowPart, RoIAlignSample sx, ivec4 columnParts) {
  vec4 low = roiPackedXTexel(rowPart, columnParts.xy), high = roiPackedXTexel(rowPart, columnParts.zw);
  return vec4((sx.low & 1) == 0 ? low.xy : low.zw, (sx.high & 1) == 0 ? high.xy : high.zw);
}

// roiAlignValue in channels c and (if both) c + 1, from the samples' texel parts.
vec2 roiPackedXValue(RoIAlignSample sy, RoIAlignSample sx, ivec4 rowParts, ivec4 columnParts, bool both) {
  if (!sy.inside || !sx.inside) return vec2(0.0);
  vec4 top = roiPackedXRow(rowParts.xy, sx, columnParts);
  vec4 bottom = roiPackedXRow(rowParts.zw, sx, columnParts);
  vec4 weights = vec4(sy.lowWeight * sx.lowWeight, sy.lowWeight * sx.highWeight,
                      sy.highWeight * sx.lowWeight, sy.highWeight * sx.highWeight);
  vec2 value = weights.x * top.xy + weights.y * top.zw + weights.z * bottom.xy + weights.w * bottom.zw;
  return both ? value : vec2(value.x, 0.0);
}

// roiAlignValue in channels c and (if both) c + 1 of image imageBase.
vec2 roiAlignValuePair(int imageBase, RoIAlignSample sy, RoIAlignSample sx, int c, bool both) {
  ivec4 steps = roiPackedXSteps();
  return roiPackedXValue(sy, sx, roiPackedXRowParts(imageBase, sy, c, steps), roiPackedXColumnParts(sx, steps), both);
}
`;

/**
 * The paired sample table's texels per bin and per box (pairedTableTexelsPerBox
 * in kernels/webgl/roi_align_gpu.ts is the same count), for its writer and its reader.
 */
export const PAIRED_TABLE_LAYOUT_GLSL = `
int roiPairedTexelsPerBin() {
  return (roiSamplingRatio + 1) / 2;
}

int roiPairedTexelsPerBox() {
  return 1 + (roiPooledSize.x + 2 * ((roiPooledSize.y + 1) / 2)) * roiPairedTexelsPerBin();
}
`;

/**
 * The paired sample table (roiPairedSampleTableShader), the packed forward's
 * for a fixed samplingRatio: per box, a texel (image or -1, 0, 0, 0), then
 * per bin of its rows and then of its columns (2 * ceil(outW / 2) of them,
 * the last pair complete) ceil(ratio / 2) texels, two entries
 * (ROI_ALIGN_TABLE_ENTRY_GLSL) each, entries past the ratio or the last bin
 * outside the map. roiTableBox is the box, set by the forward's main().
 */
export const ROI_ALIGN_PAIRED_TABLE_GLSL = `${PAIRED_TABLE_LAYOUT_GLSL}
int roiTableBox;

vec4 roiPairedTableTexel(int j) {
  int t = roiTableBox * roiPairedTexelsPerBox() + j;
  int width = (roiSampleTableTexShape[1] + 1) / 2;
  int row = t / width;
  return texelFetch(roiSampleTable, ivec2(t - row * width, row), 0);
}

// Texel m of bin ph's row entries, and of bin pw's column entries.
vec4 roiPairedRowTexel(int ph, int m) {
  return roiPairedTableTexel(1 + ph * roiPairedTexelsPerBin() + m);
}

vec4 roiPairedColumnTexel(int pw, int m) {
  return roiPairedTableTexel(1 + (roiPooledSize.x + pw) * roiPairedTexelsPerBin() + m);
}

int roiPairedImage() {
  return int(roiPairedTableTexel(0).x);
}
${TABLE_SAMPLE_DECODE_GLSL}`;

/**
 * The loops' samples (blockReductionGlsl with ratio 0) from the paired table
 * (after ROI_ALIGN_PAIRED_TABLE_GLSL).
 */
export const PAIRED_TABLE_SAMPLES_GLSL = `
RoIAlignSample roiBlockRowSample(RoIAlignAxis ay, int ph, int iy) {
  vec4 e = roiPairedRowTexel(ph, iy / 2);
  return roiTableSample((iy & 1) == 0 ? e.xy : e.zw);
}

RoIAlignSample roiBlockColSample(RoIAlignAxis ax, int pw, int ix) {
  vec4 e = roiPairedColumnTexel(pw, ix / 2);
  return roiTableSample((ix & 1) == 0 ? e.xy : e.zw);
}
`;

/**
 * The statements the unrolled reductions (blockReductionGlsl with a fixed
 * ratio) open with, in a fragment of block (ph, pw) with imageBase and c:
 * the block's row samples rowSample<iy> and column samples colSample<ix>
 * (bin pw) and colSample<ratio + ix> (bin pw + 1), each texel of the paired
 * table (ROI_ALIGN_PAIRED_TABLE_GLSL) read once, and their texel parts of x
 * (ROI_ALIGN_PACKED_PAIR_VALUE_GLSL) rowParts<iy> and colParts<i>.
 */
function pairedBlockSamples(ratio: number): string {
  const lines: string[] = [];
  const entries = (name: string, count: number, texel: (m: number) => string) => {
    for (let m = 0; 2 * m < count; m++) {
      lines.push(`vec4 ${name}Entries${m} = ${texel(m)};`);
    }
    for (let i = 0; i < count; i++) {
      lines.push(`RoIAlignSample ${name}${i} = roiTableSample(${name}Entries${i >> 1}.${(i & 1) ? 'zw' : 'xy'});`);
    }
  };
  const perBin = Math.ceil(ratio / 2);
  entries('rowSample', ratio, m => `roiPairedRowTexel(ph, ${m})`);
  // Both bins' entries are whole texels only for an even ratio.
  if (ratio % 2 === 0) {
    entries('colSample', 2 * ratio, m => `roiPairedColumnTexel(pw, ${m})`);
  } else {
    for (let bin = 0; bin < 2; bin++) {
      for (let m = 0; m < perBin; m++) lines.push(`vec4 colEntries${bin}_${m} = roiPairedColumnTexel(pw + ${bin}, ${m});`);
      for (let ix = 0; ix < ratio; ix++) {
        lines.push(`RoIAlignSample colSample${bin * ratio + ix} = roiTableSample(colEntries${bin}_${ix >> 1}.${(ix & 1) ? 'zw' : 'xy'});`);
      }
    }
  }
  lines.push('ivec4 steps = roiPackedXSteps();');
  for (let iy = 0; iy < ratio; iy++) lines.push(`ivec4 rowParts${iy} = roiPackedXRowParts(imageBase, rowSample${iy}, c, steps);`);
  for (let i = 0; i < 2 * ratio; i++) lines.push(`ivec4 colParts${i} = roiPackedXColumnParts(colSample${i}, steps);`);
  return lines.join('\n  ');
}
