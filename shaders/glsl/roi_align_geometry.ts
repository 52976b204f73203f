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

/** Needs the uniforms of ROI_ALIGN_UNIFORMS and EXACT_ARITHMETIC_GLSL. */
export const ROI_ALIGN_GEOMETRY_GLSL = `
// One axis of one box.
struct RoIAlignAxis {
  float start;       // the box's start in feature-map units
  float binSize;
  int grid;          // samples per bin; 0 means none
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
  a.binSize = extent / float(pooled);
  a.grid = roiSamplingRatio > 0 ? roiSamplingRatio : roiCeilQuotient(extent, pooled);
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

RoIAlignSample roiAlignSample(RoIAlignAxis a, int t) {
  int bin = t / a.grid;
  int s = t - bin * a.grid;
  float binStart = a.start + float(bin) * a.binSize;
  float pos = binStart + (float(s) + 0.5) * a.binSize / float(a.grid);
  RoIAlignSample r = RoIAlignSample(false, 0, 0, 0.0, 0.0, 0.0, 0.0);
  // Written as !(inside) so that a NaN position counts as outside.
  if (!(pos >= -1.0 && pos <= float(a.size))) return r;
  r.inside = true;
  bool moves = true;
  if (pos <= 0.0) {
    moves = pos == 0.0;
    pos = 0.0;
  }
  r.low = int(floor(pos));
  if (r.low >= a.size - 1) {
    r.low = a.size - 1;
    r.high = r.low;
    pos = float(r.low);
    moves = false;
  } else {
    r.high = r.low + 1;
  }
  float frac = pos - float(r.low);
  r.lowWeight = 1.0 - frac;
  r.highWeight = frac;
  if (moves) {
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

// The samples t that may have pixel index as a corner, as [first, last]
// (empty when first > last). Positions start + (t + 0.5) * binSize / grid
// grow with t, and a sample touches index only from [index - 1, index + 1]
// (which also covers the clamped stretches [-1, 0] and [size - 1, size]).
// The estimate is widened by one each way; roiCornerWeight decides exactly.
ivec2 roiAlignCandidates(RoIAlignAxis a, int index) {
  int count = a.pooled * a.grid;
  float spacing = a.binSize / float(a.grid);
  // Zero or negative bins (aligned boxes with end <= start) put every sample
  // at or before the start: look at all of them.
  if (!(spacing > 0.0)) return ivec2(0, count - 1);
  float first = floor((float(index - 1) - a.start) / spacing - 0.5) - 1.0;
  float last = ceil((float(index + 1) - a.start) / spacing - 0.5) + 1.0;
  if (last < 0.0 || first > float(count - 1)) return ivec2(1, 0);
  return ivec2(max(first, 0.0), min(last, float(count - 1)));
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

// The interpolated value, in the cpu kernel's order; 0 outside the map.
float roiAlignValue(int imageBase, RoIAlignSample sy, RoIAlignSample sx, int c) {
  if (!sy.inside || !sx.inside) return 0.0;
  vec4 v = roiAlignCorners(imageBase, sy, sx, c);
  return sy.lowWeight * (sx.lowWeight * v.x + sx.highWeight * v.y) +
      sy.highWeight * (sx.lowWeight * v.z + sx.highWeight * v.w);
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
