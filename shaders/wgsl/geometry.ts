import {MAX_SAMPLES_PER_BIN_AXIS} from '../../src/limits';

/**
 * The sampling geometry of RoIAlign and RoIPool in WGSL: the one definition
 * that the webgpu forward, input-gradient and box-gradient programs all
 * include. It follows src/geometry.ts rule for rule and in the same float32
 * order of operations, so that discrete decisions (grid size, corner indices,
 * inside or outside) agree with the cpu kernels. spatialScale is a float32
 * uniform, as torchvision's kernels convert it to the input's type.
 *
 * RoIAlign samples along one axis are numbered t = bin * grid + s. Their
 * positions are a linear function of t (start + (t + 0.5) * binSize / grid up
 * to rounding), so the samples near a given position can be found by
 * inverting that line instead of scanning them all: `roiAxisWindow`. Both the
 * forward pass (only samples inside the map read anything) and the gather
 * form of the input gradient (only samples next to a pixel touch it) use it.
 *
 * Programs that include this declare `boxes` and `boxIndices` inputs and the
 * ROI_UNIFORMS fields.
 */

/**
 * Uniform fields of every RoI program: x [batchSize,height,width,channels],
 * numBoxes boxes, the output grid and the scale. They vary per call, not per
 * pipeline. The programs read shapes from here rather than from tfjs's
 * per-tensor shape uniforms: see RoIProgram (kernels/webgpu/roi_webgpu_util.ts).
 */
export const ROI_UNIFORMS = 'batchSize : i32, height : i32, width : i32, channels : i32, numBoxes : i32, ' +
    'pooledHeight : i32, pooledWidth : i32, spatialScale : f32, samplingRatio : i32,';

/** Indexing and exact arithmetic: shared by RoIAlign and RoIPool. */
const INDEXING_WGSL = `
const ROI_MAX_SAMPLES_PER_BIN_AXIS : i32 = ${MAX_SAMPLES_PER_BIN_AXIS};
// Row-major coordinates of element index of a tensor of this shape.
fn roiCoords(index : i32, shape : vec4<i32>) -> vec4<i32> {
  let w = index % shape.w;
  let z = (index / shape.w) % shape.z;
  let y = (index / (shape.w * shape.z)) % shape.y;
  return vec4<i32>(index / (shape.w * shape.z * shape.y), y, z, w);
}

// Offset of x[n, h, w, 0].
fn roiPixelOffset(n : i32, h : i32, w : i32) -> i32 {
  return ((n * uniforms.height + h) * uniforms.width + w) * uniforms.channels;
}

// By bit pattern: shader compilers may assume floats are never NaN or Inf.
fn roiIsFinite(v : f32) -> bool {
  return (bitcast<u32>(v) & 0x7f800000u) != 0x7f800000u;
}

`;

/**
 * Reading a box from the inputs boxes and boxIndices. A program that binds
 * no boxes must leave it out: WGSL rejects a name that is not declared.
 */
const BOX_READ_WGSL = `
struct RoIBox {
  readable : bool,
  batch : i32,
  x1 : f32, y1 : f32, x2 : f32, y2 : f32,
}

// Box k, unreadable (all-zero output, no gradient) when a coordinate is not
// finite or its batch index is outside [0, batchSize).
fn roiReadBox(k : i32) -> RoIBox {
  var box : RoIBox;
  box.batch = boxIndices[k];
  box.x1 = boxes[4 * k];
  box.y1 = boxes[4 * k + 1];
  box.x2 = boxes[4 * k + 2];
  box.y2 = boxes[4 * k + 3];
  box.readable = box.batch >= 0 && box.batch < uniforms.batchSize &&
      roiIsFinite(box.x1) && roiIsFinite(box.y1) && roiIsFinite(box.x2) &&
      roiIsFinite(box.y2);
  return box;
}
`;

/** The exact division and the grid size that the discrete decisions rest on. */
const EXACT_ARITHMETIC_WGSL = `
// f32(v / d) rounded to nearest even, as torchvision's float32 division
// gives, for a divisor 1 <= d < 2^24. WGSL's division may be 2.5 ulp off, and a
// compiler that knows d may multiply by a rounded 1 / d instead: either can
// move a sample across a pixel edge or change ceil(binSize). So the quotient
// of v's 24-bit significand by d is taken by integer long division, eight
// bits a step, and rounded from its remainder. Zero, infinite, NaN and
// subnormal v (and subnormal quotients) keep the built-in division: none of
// them places a sample.
fn roiExactQuotient(v : f32, d : i32) -> f32 {
  let bits = bitcast<u32>(v);
  let biased = i32((bits >> 23u) & 0xffu);
  if (d == 1) {
    return v;
  }
  if (biased == 0 || biased == 255 || d <= 0 || d >= 0x1000000) {
    return v / f32(d);
  }
  let divisor = u32(d);
  let significand = (bits & 0x7fffffu) | 0x800000u;
  var q = significand / divisor;
  var rem = significand - q * divisor;
  var shift = 0;
  // Until q holds 25 bits (24 to keep, one to round on); q < 2^24 and
  // rem < divisor < 2^24 before each step, so neither shift overflows.
  for (var step = 0; step < 8 && q < 0x1000000u; step++) {
    let next = rem << 8u;
    let digit = next / divisor;
    q = (q << 8u) | digit;
    rem = next - digit * divisor;
    shift += 8;
  }
  let extra = u32(8 - i32(countLeadingZeros(q)));
  var kept = q >> extra;
  let dropped = q & ((1u << extra) - 1u);
  let half = 1u << (extra - 1u);
  if (dropped > half || (dropped == half && (rem != 0u || (kept & 1u) == 1u))) {
    kept += 1u;
  }
  // v / d = (q + rem / d) * 2^(biased - 150 - shift), and kept = q / 2^extra.
  var exponent = biased + i32(extra) - shift;
  if (kept == 0x1000000u) {
    kept = 0x800000u;
    exponent += 1;
  }
  if (exponent <= 0) {
    return v / f32(d);
  }
  return bitcast<f32>((bits & 0x80000000u) | (u32(exponent) << 23u) | (kept & 0x7fffffu));
}

// Samples per bin along an axis: the fixed ratio, or ceil(binSize) (exact
// for a correctly rounded binSize); 0 for no samples, and -1 when the
// adaptive grid would exceed MAX_SAMPLES_PER_BIN_AXIS (src/limits.ts) or the
// bin size is not finite: such a box is unreadable.
fn roiGridSize(binSize : f32) -> i32 {
  if (uniforms.samplingRatio > 0) {
    return uniforms.samplingRatio;
  }
  if (!roiIsFinite(binSize)) {
    return -1;
  }
  if (!(binSize > 0.0)) {
    return 0;
  }
  let grid = ceil(binSize);
  // Compared in float, so that the conversion to i32 cannot overflow.
  if (grid > f32(ROI_MAX_SAMPLES_PER_BIN_AXIS)) {
    return -1;
  }
  return i32(grid);
}
`;

/** Indexing, reading a box and exact arithmetic: shared by RoIAlign and RoIPool. */
const COMMON_WGSL = `${INDEXING_WGSL}${BOX_READ_WGSL}${EXACT_ARITHMETIC_WGSL}`;

/**
 * RoIAlign's geometry. `aligned` is compiled in (it belongs in the program's
 * shaderKey). The sampling ratio is the uniform samplingRatio (<= 0: the
 * adaptive grid ceil(binSize)), never a constant: a compiler that knew it
 * could turn the division by the grid into a multiplication.
 */
export function roiAlignGeometryWgsl(aligned: boolean, readsBoxes = true): string {
  return `${readsBoxes ? COMMON_WGSL : INDEXING_WGSL + EXACT_ARITHMETIC_WGSL}
const ROI_ALIGNED : bool = ${aligned};

// One axis of one box.
struct RoIAxis {
  start : f32,
  binSize : f32,
  // Samples per bin; 0 when the bin has none.
  grid : i32,
  pooled : i32,
  size : i32,
  // Unaligned boxes under a pixel are widened to one: their end stops moving.
  sizeClamped : bool,
  // False when the positions overflowed float32: then no sample is inside.
  finite : bool,
}

fn roiAlignAxis(start : f32, end : f32, pooled : i32, size : i32) -> RoIAxis {
  var axis : RoIAxis;
  let offset = select(0.0, 0.5, ROI_ALIGNED);
  axis.start = start * uniforms.spatialScale - offset;
  let roiEnd = end * uniforms.spatialScale - offset;
  var roiSize = roiEnd - axis.start;
  axis.sizeClamped = !ROI_ALIGNED && roiSize < 1.0;
  if (axis.sizeClamped) {
    roiSize = 1.0;
  }
  axis.binSize = roiExactQuotient(roiSize, pooled);
  axis.pooled = pooled;
  axis.size = size;
  axis.finite = roiIsFinite(axis.start) && roiIsFinite(axis.binSize) &&
      roiIsFinite(axis.binSize * f32(pooled));
  axis.grid = roiGridSize(axis.binSize);
  if (axis.grid < 0) {
    // Over the sample cap: the box reads nothing and passes no gradient.
    axis.grid = 0;
    axis.finite = false;
  }
  return axis;
}

// Sample t of an axis, as src/geometry.ts alignAxisSamples describes it.
struct RoISample {
  // False outside [-1, size]: the sample reads 0 and has no gradient.
  inside : bool,
  low : i32,
  high : i32,
  lowWeight : f32,
  highWeight : f32,
  // False where the position is clamped: it does not move with the box.
  moves : bool,
}

// The position of sample t, before any clamping.
fn roiAxisPosition(axis : RoIAxis, t : i32) -> f32 {
  let bin = t / axis.grid;
  let s = t - bin * axis.grid;
  let binStart = axis.start + f32(bin) * axis.binSize;
  return binStart + roiExactQuotient((f32(s) + 0.5) * axis.binSize, axis.grid);
}

fn roiAxisSample(axis : RoIAxis, t : i32) -> RoISample {
  if (!axis.finite) {
    return RoISample();
  }
  return roiAxisCorner(roiAxisPosition(axis, t), axis.size);
}

// The corners of a sample at position pos on an axis of size pixels, as
// src/geometry.ts axisCorner: outside [-1, size] it reads nothing; inside,
// the position clamps to [0, size - 1].
fn roiAxisCorner(position : f32, size : i32) -> RoISample {
  var point : RoISample;
  var pos = position;
  if (!(pos >= -1.0 && pos <= f32(size))) {
    return point;
  }
  point.inside = true;
  point.moves = true;
  if (pos <= 0.0) {
    point.moves = pos == 0.0;
    pos = 0.0;
  }
  var low = i32(floor(pos));
  if (low >= size - 1) {
    low = size - 1;
    point.high = low;
    pos = f32(low);
    point.moves = false;
  } else {
    point.high = low + 1;
  }
  point.low = low;
  let frac = pos - f32(low);
  point.lowWeight = 1.0 - frac;
  point.highWeight = frac;
  return point;
}

// The weight with which a sample reads pixel p along its axis (both corners
// are p where the position is clamped to the last pixel).
fn roiCornerWeight(point : RoISample, p : i32) -> f32 {
  if (!point.inside) {
    return 0.0;
  }
  return select(0.0, point.lowWeight, point.low == p) +
      select(0.0, point.highWeight, point.high == p);
}

// d(position of sample t) / d(box start, box end), in image units.
fn roiAxisSlope(axis : RoIAxis, t : i32, point : RoISample) -> vec2<f32> {
  if (!point.moves) {
    return vec2<f32>(0.0);
  }
  if (axis.sizeClamped) {
    return vec2<f32>(uniforms.spatialScale, 0.0);
  }
  let bin = t / axis.grid;
  let s = t - bin * axis.grid;
  let along = (f32(bin) + (f32(s) + 0.5) / f32(axis.grid)) / f32(axis.pooled);
  return vec2<f32>(1.0 - along, along) * uniforms.spatialScale;
}

// The samples first..last of axis whose position may lie in [lo, hi], as
// (first, last) of a range that may be empty. Positions follow the line
// start + (t + 0.5) * spacing up to rounding, so invert it and widen by the
// rounding error of both the positions and this inversion; callers decide
// each candidate exactly with roiAxisSample. The range is a superset, never
// longer than first..last, and monotonic positions make it contiguous.
fn roiAxisWindow(axis : RoIAxis, lo : f32, hi : f32, first : i32, last : i32) -> vec2<i32> {
  if (first > last || !axis.finite) {
    return vec2<i32>(0, -1);
  }
  let spacing = axis.binSize / f32(axis.grid);
  if (!(abs(spacing) >= 1e-30)) {
    // Samples (nearly) on top of each other: keep them all. Only a fixed
    // sampling ratio or a one-sample grid gets here, so first..last is short.
    return vec2<i32>(first, last);
  }
  // Each position is a handful of float32 roundings of values no larger than
  // this, each off by at most 2^-24 of it; 2^-20 leaves a wide margin.
  let magnitude = abs(axis.start) + abs(axis.binSize) * f32(axis.pooled) + f32(axis.size) + 2.0;
  let slack = magnitude * 9.5367431640625e-7;
  // Offsets are clamped to a few samples past the range before dividing, so
  // that no quotient overflows and the conversions to i32 stay in range.
  let span = abs(spacing) * (f32(last) + 4.0);
  let a = clamp(lo - slack - axis.start, -span, span) / spacing - 0.5;
  let b = clamp(hi + slack - axis.start, -span, span) / spacing - 0.5;
  let tLow = clamp(min(a, b), f32(first) - 2.0, f32(last) + 2.0);
  let tHigh = clamp(max(a, b), f32(first) - 2.0, f32(last) + 2.0);
  // The inversion's own rounding (WGSL's division may be 2.5 ulp off) is
  // relative to |t|. floor and ceil already keep every sample within one of
  // the exact bounds, so a widening of one covers any error under two.
  let widen = max(1.0, ceil(max(abs(tLow), abs(tHigh)) * 9.5367431640625e-7));
  return vec2<i32>(max(i32(floor(tLow - widen)), first), min(i32(ceil(tHigh + widen)), last));
}

// The range of samples of axis that can touch a pixel of first..last: a
// position in [p - 1, p + 1] reads p; positions in [-1, 0] clamp to 0 and
// read 0 and 1, positions in [size - 1, size] clamp to size - 1.
fn roiAxisTouchingRange(axis : RoIAxis, first : i32, last : i32) -> vec2<i32> {
  let lo = select(f32(first - 1), -1.0, first <= 1);
  let hi = select(f32(last + 1), f32(axis.size), last >= axis.size - 2);
  return roiAxisWindow(axis, lo, hi, 0, axis.pooled * axis.grid - 1);
}

// The range of samples of axis that can touch pixel p.
fn roiAxisTouching(axis : RoIAxis, p : i32) -> vec2<i32> {
  return roiAxisTouchingRange(axis, p, p);
}

// A range of pixels [x, y] holding every corner that a sample of axis reads
// (empty when x > y). Inside samples clamp into [0, size - 1] and read
// floor(pos) and the pixel after; widened by one for rounding, which can
// bend the monotonic order of nearly equal positions.
fn roiAxisReach(axis : RoIAxis) -> vec2<i32> {
  let inside = roiAxisWindow(axis, -1.0, f32(axis.size), 0, axis.pooled * axis.grid - 1);
  if (inside.x > inside.y) {
    return vec2<i32>(1, 0);
  }
  let a = roiAxisPosition(axis, inside.x);
  let b = roiAxisPosition(axis, inside.y);
  let last = f32(axis.size - 1);
  return vec2<i32>(i32(clamp(floor(min(a, b)) - 1.0, 0.0, last)), i32(clamp(floor(max(a, b)) + 2.0, 0.0, last)));
}

${readsBoxes ? `
// The pixels a box's samples can read: rows x, y and columns z, w (inclusive).
fn roiBoxReach(box : RoIBox) -> vec4<i32> {
  let rows = roiAxisReach(roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height));
  let cols = roiAxisReach(roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width));
  return vec4<i32>(rows, cols);
}
` : ''}
// The samples of bin b that can be inside the map.
fn roiAxisBinInside(axis : RoIAxis, b : i32) -> vec2<i32> {
  let first = b * axis.grid;
  return roiAxisWindow(axis, -1.0, f32(axis.size), first, first + axis.grid - 1);
}
`;
}

/** Entries of one box in the sample table (a fixed samplingRatio): its row samples, then its column samples. */
export const ROI_SAMPLE_TABLE_ENTRIES_WGSL = `
fn roiSampleTableEntries() -> i32 {
  return (uniforms.pooledHeight + uniforms.pooledWidth) * uniforms.samplingRatio;
}
`;

/**
 * Reading sample t of box k from the sample table (input sampleTable, bound
 * as vec4s; kernels/webgpu's RoIAlignSampleTableProgram writes it): per
 * entry the RoISample as (low, high, lowWeight, highWeight), low = -1
 * outside the map, then its roiAxisSlope. The samples and slopes that
 * roiAlignGeometryWgsl gives, worked out once per box.
 */
export const ROI_SAMPLE_TABLE_WGSL = `${ROI_SAMPLE_TABLE_ENTRIES_WGSL}
fn roiTableSample(k : i32, t : i32) -> RoISample {
  let entry = sampleTable[2 * (k * roiSampleTableEntries() + t)];
  var s : RoISample;
  s.inside = entry.x >= 0.0;
  s.low = i32(entry.x);
  s.high = i32(entry.y);
  s.lowWeight = entry.z;
  s.highWeight = entry.w;
  return s;
}

fn roiTableSlope(k : i32, t : i32) -> vec2<f32> {
  return sampleTable[2 * (k * roiSampleTableEntries() + t) + 1].xy;
}
`;

/**
 * WGSL statements that run `body` for every sample of bin (ph, pw) that lies
 * inside the map, in row-major order, with the sample numbers ty, tx and
 * their RoISamples row, col in scope; yAxis, xAxis, ph and pw must be.
 */
export function forEachInsideSampleWgsl(body: string): string {
  return `
  let rows = roiAxisBinInside(yAxis, ph);
  let cols = roiAxisBinInside(xAxis, pw);
  for (var ty = rows.x; ty <= rows.y; ty++) {
    let row = roiAxisSample(yAxis, ty);
    if (!row.inside) {
      continue;
    }
    for (var tx = cols.x; tx <= cols.y; tx++) {
      let col = roiAxisSample(xAxis, tx);
      if (!col.inside) {
        continue;
      }
      ${body}
    }
  }`;
}

/** RoIPool's geometry: box corners rounded to pixels, bins floor/ceil-split. */
export const ROI_POOL_GEOMETRY_WGSL = `${COMMON_WGSL}
// One axis of one box. Pixel positions are kept in float32, exact below 2^24.
struct RoIPoolAxis {
  start : f32,
  binSize : f32,
  pooled : i32,
  size : i32,
  // False when the corners overflowed float32: every bin is then empty.
  finite : bool,
}

// C's round(): half away from zero, as torchvision rounds box corners.
// WGSL's round() breaks ties to even. v - trunc(v) is exact.
fn roiRoundHalfAway(v : f32) -> f32 {
  let whole = trunc(v);
  return select(whole, whole + sign(v), abs(v - whole) >= 0.5);
}

fn roiPoolAxis(start : f32, end : f32, pooled : i32, size : i32) -> RoIPoolAxis {
  var axis : RoIPoolAxis;
  let scaledStart = start * uniforms.spatialScale;
  let scaledEnd = end * uniforms.spatialScale;
  axis.finite = roiIsFinite(scaledStart) && roiIsFinite(scaledEnd);
  if (!axis.finite) {
    return axis;
  }
  axis.start = roiRoundHalfAway(scaledStart);
  let roiSize = max(roiRoundHalfAway(scaledEnd) - axis.start + 1.0, 1.0);
  // Exactly rounded: a bin size one ulp under 1 would floor 3 * binSize to 2.
  axis.binSize = roiExactQuotient(roiSize, pooled);
  axis.pooled = pooled;
  axis.size = size;
  return axis;
}

// Bin b's clipped pixel range [x, y).
fn roiPoolBin(axis : RoIPoolAxis, b : i32) -> vec2<i32> {
  if (!axis.finite) {
    return vec2<i32>(0, 0);
  }
  let size = f32(axis.size);
  let first = clamp(floor(f32(b) * axis.binSize) + axis.start, 0.0, size);
  let end = clamp(ceil(f32(b + 1) * axis.binSize) + axis.start, 0.0, size);
  return vec2<i32>(i32(first), i32(end));
}

// The pixels [x, y] that the bins of axis cover (empty when x > y): bins
// start and end further along as b grows.
fn roiPoolAxisReach(axis : RoIPoolAxis) -> vec2<i32> {
  return vec2<i32>(roiPoolBin(axis, 0).x, roiPoolBin(axis, axis.pooled - 1).y - 1);
}

// The pixels a box's bins cover: rows x, y and columns z, w (inclusive).
fn roiBoxReach(box : RoIBox) -> vec4<i32> {
  let rows = roiPoolAxisReach(roiPoolAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height));
  let cols = roiPoolAxisReach(roiPoolAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width));
  return vec4<i32>(rows, cols);
}

// The bins [x, y] that hold pixel p (roiPoolBin's ranges; empty when x > y).
// Bin b spans [floor(b * binSize), ceil((b + 1) * binSize)) from start, so
// (p - start) / binSize - 1 < b < (p - start + 1) / binSize; that window,
// widened by one for rounding, is then narrowed to the bins whose clipped
// range holds p exactly, so that a gather runs its channel loops only
// for them (SwiftShader runs a loop's body for every pass of any lane).
fn roiPoolBinsHolding(axis : RoIPoolAxis, p : i32) -> vec2<i32> {
  if (!axis.finite) {
    return vec2<i32>(0, -1);
  }
  // Clamped before dividing so that no quotient overflows.
  let span = axis.binSize * (f32(axis.pooled) + 4.0);
  let offset = clamp(f32(p) - axis.start, -span, span);
  let bLow = offset / axis.binSize - 1.0;
  let bHigh = (offset + 1.0) / axis.binSize;
  let candidates = vec2<i32>(max(i32(floor(bLow)) - 1, 0), min(i32(ceil(bHigh)) + 1, axis.pooled - 1));
  // Bins start and end further along as b grows: those holding p are consecutive.
  var holding = vec2<i32>(candidates.y + 1, candidates.x - 1);
  for (var b = candidates.x; b <= candidates.y; b++) {
    let bin = roiPoolBin(axis, b);
    if (bin.x <= p && p < bin.y) {
      holding = vec2<i32>(min(holding.x, b), b);
    }
  }
  return holding;
}
`;

/**
 * The corners of a sample and its bilinear value, for `lanes` consecutive
 * channels at once: with 4, x is bound as vec4s (C % 4 == 0), so that one
 * invocation shares its box's geometry across four channels and reads each
 * corner with one 16-byte load. Each lane does the scalar arithmetic in the
 * same order, so results match the one-channel programs.
 */
function alignCornersWgsl(lanes: 1|4): string {
  const value = lanes === 1 ? 'f32' : 'vec4<f32>';
  const suffix = lanes === 1 ? '' : '4';
  return `
// x at the corners (row low|high) x (column low|high) of a sample, in the
// channel${lanes === 1 ? '' : 's c..c+3'} and image whose x[n, 0, 0, c] is at float offset base.
struct RoICorners${suffix} {
  v00 : ${value}, v01 : ${value}, v10 : ${value}, v11 : ${value},
}

fn roiReadCorners${suffix}(base : i32, row : RoISample, col : RoISample) -> RoICorners${suffix} {
  let channels = uniforms.channels${lanes === 1 ? '' : ' / 4'};
  let rowStride = uniforms.width * channels;
  let rowLow = base${lanes === 1 ? '' : ' / 4'} + row.low * rowStride;
  let rowHigh = base${lanes === 1 ? '' : ' / 4'} + row.high * rowStride;
  return RoICorners${suffix}(
      x[rowLow + col.low * channels], x[rowLow + col.high * channels],
      x[rowHigh + col.low * channels], x[rowHigh + col.high * channels]);
}

// torchvision's w1 * v1 + w2 * v2 + w3 * v3 + w4 * v4, in its order: the
// same roundings, and an infinite or NaN corner gives NaN even where its
// weight is 0, as there.
fn roiInterpolate${suffix}(v : RoICorners${suffix}, row : RoISample, col : RoISample) -> ${value} {
  return (row.lowWeight * col.lowWeight) * v.v00 + (row.lowWeight * col.highWeight) * v.v01 +
      (row.highWeight * col.lowWeight) * v.v10 + (row.highWeight * col.highWeight) * v.v11;
}
`;
}

/**
 * Reading RoIAlign samples from the image x: the four corners of a 2-D
 * sample, its bilinear value, and the slopes of its bilinear patch (for the
 * box gradient). For programs with an `x` input [N,H,W,C].
 */
export const ROI_ALIGN_READ_WGSL = `${alignCornersWgsl(1)}
// d(sample value) / d(row position).
fn roiSlopeAlongRows(v : RoICorners, col : RoISample) -> f32 {
  return col.lowWeight * (v.v10 - v.v00) + col.highWeight * (v.v11 - v.v01);
}

// d(sample value) / d(column position).
fn roiSlopeAlongCols(v : RoICorners, row : RoISample) -> f32 {
  return row.lowWeight * (v.v01 - v.v00) + row.highWeight * (v.v11 - v.v10);
}
`;

/**
 * ROI_ALIGN_READ_WGSL's corners and bilinear value for four consecutive
 * channels (roiReadCorners4, roiInterpolate4), for programs that bind x as
 * vec4s (variableComponents 4); base must then be a multiple of 4.
 */
export const ROI_ALIGN_READ4_WGSL = alignCornersWgsl(4);

/**
 * The channels of a RoIAlign-family program: how many output channels y and
 * dy have, and which input channel output channel c of bin (ph, pw) reads.
 * RoIAlign reads channel c itself; the position-sensitive ops (psRoiAlign,
 * psRoiPool) read channel (c * outH + ph) * outW + pw, torchvision's
 * channel_mapping, so their outputs have C / (outH * outW) channels.
 */
export function channelMapWgsl(positionSensitive: boolean): string {
  if (!positionSensitive) {
    return `
fn roiOutChannels() -> i32 {
  return uniforms.channels;
}

fn roiInputChannel(c : i32, ph : i32, pw : i32) -> i32 {
  return c;
}
`;
  }
  return `
fn roiOutChannels() -> i32 {
  return uniforms.channels / (uniforms.pooledHeight * uniforms.pooledWidth);
}

fn roiInputChannel(c : i32, ph : i32, pw : i32) -> i32 {
  return (c * uniforms.pooledHeight + ph) * uniforms.pooledWidth + pw;
}
`;
}

/**
 * psRoiPool's bins (src/geometry.ts poolBoxBins, positionSensitive): the
 * size has no end pixel, and bins clip to [0, size - 1], so roiPoolBin never
 * reaches the map's last pixel. Needs ROI_POOL_GEOMETRY_WGSL.
 */
export const PS_ROI_POOL_GEOMETRY_WGSL = `
fn psRoiPoolAxis(start : f32, end : f32, pooled : i32, size : i32) -> RoIPoolAxis {
  var axis = roiPoolAxis(start, end, pooled, size - 1);
  if (axis.finite) {
    axis.binSize = roiExactQuotient(max(roiRoundHalfAway(end * uniforms.spatialScale) - axis.start, 1.0), pooled);
  }
  return axis;
}
`;

/**
 * RoIAlignRotated's geometry in WGSL, after src/geometry.ts
 * rotatedBoxSamples: the box's frame (centre shifted by half a pixel, bins
 * from (-w/2, -h/2)), each sample rotated about the centre, then
 * roiAxisCorner per axis. boxes are [K,5] (cx, cy, w, h, angle). Programs
 * that include it declare ROI_ALIGN_ROTATED_UNIFORMS.
 */
export function roiAlignRotatedGeometryWgsl(): string {
  return `${roiAlignGeometryWgsl(true)}
// (cos, sin) of theta to float32 accuracy. The built-ins may be off by
// 2^-11 (the bound WebGPU allows), which would move the samples of a box ten
// pixels wide by 0.005 pixels. A quarter turn is taken out in two parts
// (f32(pi / 2) and the rest), then Taylor series on [-pi/4, pi/4].
fn roiCosSin(theta : f32) -> vec2<f32> {
  let q = floor(theta * 0.63661977 + 0.5);
  let r = (theta - q * 1.5707963705062866) + q * 4.371139000186243e-8;
  let r2 = r * r;
  let s = r * (1.0 + r2 * (-1.6666667e-1 + r2 * (8.3333333e-3 + r2 * (-1.9841270e-4 + r2 * 2.7557319e-6))));
  let c = 1.0 + r2 * (-0.5 + r2 * (4.1666667e-2 + r2 * (-1.3888889e-3 + r2 * (2.4801587e-5 - r2 * 2.7557319e-7))));
  let quadrant = i32(q) & 3;
  if (quadrant == 0) {
    return vec2<f32>(c, s);
  }
  if (quadrant == 1) {
    return vec2<f32>(-s, c);
  }
  if (quadrant == 2) {
    return vec2<f32>(-c, -s);
  }
  return vec2<f32>(s, -c);
}

struct RoIRotatedBox {
  // False for a non-finite parameter or a batch index outside [0, batchSize).
  readable : bool,
  batch : i32,
  centerX : f32,
  centerY : f32,
  width : f32,
  height : f32,
  cosTheta : f32,
  sinTheta : f32,
  binH : f32,
  binW : f32,
  gridH : i32,
  gridW : i32,
}

fn roiReadRotatedBox(k : i32) -> RoIRotatedBox {
  var b : RoIRotatedBox;
  b.batch = boxIndices[k];
  let p = 5 * k;
  b.readable = b.batch >= 0 && b.batch < uniforms.batchSize && roiIsFinite(boxes[p]) &&
      roiIsFinite(boxes[p + 1]) && roiIsFinite(boxes[p + 2]) && roiIsFinite(boxes[p + 3]) &&
      roiIsFinite(boxes[p + 4]);
  if (!b.readable) {
    return b;
  }
  b.centerX = boxes[p] * uniforms.spatialScale - 0.5;
  b.centerY = boxes[p + 1] * uniforms.spatialScale - 0.5;
  b.width = boxes[p + 2] * uniforms.spatialScale;
  b.height = boxes[p + 3] * uniforms.spatialScale;
  let cosSin = roiCosSin(boxes[p + 4] * uniforms.radiansPerAngle);
  b.cosTheta = cosSin.x;
  b.sinTheta = cosSin.y;
  b.binH = roiExactQuotient(b.height, uniforms.pooledHeight);
  b.binW = roiExactQuotient(b.width, uniforms.pooledWidth);
  b.gridH = roiGridSize(b.binH);
  b.gridW = roiGridSize(b.binW);
  // Over the sample cap (or a non-finite side): unreadable.
  b.readable = b.gridH >= 0 && b.gridW >= 0;
  return b;
}

// Sample t along the box's height (t = ph * gridH + iy) and u along its
// width: its corners per axis and its offset (yy, xx) from the centre in the
// box's frame. It reads something only when row and col are both inside.
struct RoIRotatedSample {
  row : RoISample,
  col : RoISample,
  yy : f32,
  xx : f32,
}

fn roiRotatedSample(b : RoIRotatedBox, t : i32, u : i32) -> RoIRotatedSample {
  let ph = t / b.gridH;
  let pw = u / b.gridW;
  var s : RoIRotatedSample;
  // Halving is exact, whether divided or multiplied.
  s.yy = -b.height * 0.5 + f32(ph) * b.binH + roiExactQuotient((f32(t - ph * b.gridH) + 0.5) * b.binH, b.gridH);
  s.xx = -b.width * 0.5 + f32(pw) * b.binW + roiExactQuotient((f32(u - pw * b.gridW) + 0.5) * b.binW, b.gridW);
  s.row = roiAxisCorner(s.yy * b.cosTheta - s.xx * b.sinTheta + b.centerY, uniforms.height);
  s.col = roiAxisCorner(s.yy * b.sinTheta + s.xx * b.cosTheta + b.centerX, uniforms.width);
  return s;
}

// d(row position), d(column position) / d(box parameter j), j indexing
// (cx, cy, w, h, angle); 0 for an axis whose position is clamped.
fn roiRotatedMove(b : RoIRotatedBox, s : RoIRotatedSample, t : i32, u : i32, j : i32) -> vec2<f32> {
  let scale = uniforms.spatialScale;
  let alongH = (f32(t) + 0.5) / f32(b.gridH * uniforms.pooledHeight) - 0.5;
  let alongW = (f32(u) + 0.5) / f32(b.gridW * uniforms.pooledWidth) - 0.5;
  var shift : vec2<f32>;
  if (j == 0) {
    shift = vec2<f32>(0.0, scale);
  } else if (j == 1) {
    shift = vec2<f32>(scale, 0.0);
  } else if (j == 2) {
    shift = scale * alongW * vec2<f32>(-b.sinTheta, b.cosTheta);
  } else if (j == 3) {
    shift = scale * alongH * vec2<f32>(b.cosTheta, b.sinTheta);
  } else {
    shift = uniforms.radiansPerAngle *
        vec2<f32>(-s.yy * b.sinTheta - s.xx * b.cosTheta, s.yy * b.cosTheta - s.xx * b.sinTheta);
  }
  return vec2<f32>(select(0.0, shift.x, s.row.moves), select(0.0, shift.y, s.col.moves));
}

// The samples [x, y] (empty when x > y) of one side of the box's frame,
// count of them from start with the given spacing, whose offset may lie in
// [lo, hi]; widened for rounding, callers decide exactly. Offsets are
// clamped before dividing, so that no quotient overflows an i32.
fn roiFrameWindow(start : f32, spacing : f32, lo : f32, hi : f32, count : i32) -> vec2<i32> {
  if (count <= 0) {
    return vec2<i32>(1, 0);
  }
  if (!(spacing > 0.0)) {
    return vec2<i32>(0, count - 1);
  }
  let slack = 1e-3 * (1.0 + abs(lo) + abs(hi));
  let span = spacing * (f32(count) + 4.0);
  let first = floor(clamp(lo - slack - start, -span, span) / spacing - 0.5) - 1.0;
  let last = ceil(clamp(hi + slack - start, -span, span) / spacing - 0.5) + 1.0;
  if (!(last >= 0.0) || !(first <= f32(count - 1))) {
    return vec2<i32>(1, 0);
  }
  return vec2<i32>(i32(max(first, 0.0)), i32(min(last, f32(count - 1))));
}

// The samples that may have pixel (h, w) as a corner: t in [x, y], u in
// [z, w]. A position reads (h, w) only from [h - 1, h + 1] x [w - 1, w + 1]
// (stretched to -1 and to the map's end at the borders, where positions
// clamp); that rectangle, turned into the box's frame, bounds the offsets.
fn roiRotatedCandidates(b : RoIRotatedBox, h : i32, w : i32) -> vec4<i32> {
  let lo = vec2<f32>(select(f32(h - 1), -1.0, h <= 1), select(f32(w - 1), -1.0, w <= 1));
  let hi = vec2<f32>(select(f32(h + 1), f32(uniforms.height), h >= uniforms.height - 2),
                     select(f32(w + 1), f32(uniforms.width), w >= uniforms.width - 2));
  let mid = (lo + hi) * 0.5 - vec2<f32>(b.centerY, b.centerX);
  let halfSide = (hi - lo) * 0.5;
  let c = abs(b.cosTheta);
  let s = abs(b.sinTheta);
  let yy = b.cosTheta * mid.x + b.sinTheta * mid.y;
  let xx = -b.sinTheta * mid.x + b.cosTheta * mid.y;
  let yyReach = c * halfSide.x + s * halfSide.y;
  let xxReach = s * halfSide.x + c * halfSide.y;
  let rows = roiFrameWindow(-b.height / 2.0, b.binH / f32(b.gridH), yy - yyReach, yy + yyReach,
                            b.gridH * uniforms.pooledHeight);
  let cols = roiFrameWindow(-b.width / 2.0, b.binW / f32(b.gridW), xx - xxReach, xx + xxReach,
                            b.gridW * uniforms.pooledWidth);
  return vec4<i32>(rows, cols);
}

// Pixels [x, y] along an axis of size that a box centred at center reaching
// extent either way can touch: its corners reach one pixel further, and
// clamping only moves samples towards the map; widened by one for rounding.
fn roiRotatedAxisReach(center : f32, extent : f32, size : i32) -> vec2<i32> {
  let first = floor(center - extent) - 2.0;
  let last = ceil(center + extent) + 2.0;
  if (!(last >= 0.0) || !(first <= f32(size - 1))) {
    return vec2<i32>(1, 0);
  }
  return vec2<i32>(i32(max(first, 0.0)), i32(min(last, f32(size - 1))));
}

// The pixels a rotated box's samples can read: rows x, y and columns z, w.
fn roiRotatedReach(b : RoIRotatedBox) -> vec4<i32> {
  let c = abs(b.cosTheta);
  let s = abs(b.sinTheta);
  let halfH = abs(b.height) * 0.5;
  let halfW = abs(b.width) * 0.5;
  return vec4<i32>(roiRotatedAxisReach(b.centerY, c * halfH + s * halfW, uniforms.height),
                   roiRotatedAxisReach(b.centerX, s * halfH + c * halfW, uniforms.width));
}
`;
}

/** ROI_UNIFORMS and the signed radians per unit of the boxes' angle. */
export const ROI_ALIGN_ROTATED_UNIFORMS = `${ROI_UNIFORMS} radiansPerAngle : f32,`;
