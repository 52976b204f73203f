/**
 * The one GLSL definition of RoIPool's bins, used by the forward program,
 * its winner pass and the dx gather. It follows src/geometry.ts
 * (poolAxisBins): corners rounded half away from zero, size
 * max(end - start + 1, 1), bin edges floor / ceil of float32 multiples of the
 * float32 bin size, clipped to the map.
 *
 * Needs the uniforms of ROI_POOL_UNIFORMS and EXACT_ARITHMETIC_GLSL.
 */
export const ROI_POOL_GEOMETRY_GLSL = `
// One axis of one box. Pixel positions are kept in float, as the WGSL
// geometry keeps them: exact integers below 2^24, and past it the float32
// values src/geometry.ts rounds to.
struct RoIPoolAxis {
  float start;
  float binSize;
  int pooled;
  int size;
  bool finite;  // false when a corner overflowed float32: every bin is empty
};

RoIPoolAxis roiPoolAxis(float boxStart, float boxEnd, int pooled, int size) {
  float scaledStart = boxStart * roiScale;
  float scaledEnd = boxEnd * roiScale;
  RoIPoolAxis a = RoIPoolAxis(0.0, 1.0, pooled, size, roiFinite(scaledStart) && roiFinite(scaledEnd));
  if (!a.finite) return a;
  a.start = roiRoundHalfAwayFloat(scaledStart);
  // Exactly rounded: a bin size one ulp under 1 would floor 3 * binSize to 2.
  a.binSize = roiExactQuotient(max(roiRoundHalfAwayFloat(scaledEnd) - a.start + 1.0, 1.0), pooled);
  return a;
}

// Bin b's pixels along the axis, [x, y), clipped to the map.
ivec2 roiPoolBin(RoIPoolAxis a, int b) {
  if (!a.finite) return ivec2(0);
  float size = float(a.size);
  return ivec2(clamp(floor(float(b) * a.binSize) + a.start, 0.0, size),
               clamp(ceil(float(b + 1) * a.binSize) + a.start, 0.0, size));
}

// A cheap first test for the gather, before the exact division: whether a
// box spanning [boxStart, boxEnd] may have a bin holding pixel index. Its
// bins cover the pixels from the rounded start to the rounded end.
bool roiPoolMayTouch(float boxStart, float boxEnd, int index) {
  int start = roiRoundHalfAway(boxStart * roiScale);
  int end = max(roiRoundHalfAway(boxEnd * roiScale), start);
  return index >= start - 1 && index <= end + 1;
}

// The bins b that may hold pixel index, as [first, last] (empty when
// first > last): bin b spans about [b * binSize, (b + 1) * binSize) from the
// start, and bins may overlap by a pixel. Widened by one each way for the
// rounding of b * binSize and of GLSL's 2.5 ulp division; roiPoolBin
// decides exactly.
ivec2 roiPoolCandidates(RoIPoolAxis a, int index) {
  if (!a.finite) return ivec2(1, 0);
  // Clamped to a few bins past the box before dividing, as the WGSL
  // geometry's roiPoolBinsHolding does, so that no quotient overflows.
  float span = a.binSize * (float(a.pooled) + 4.0);
  float along = clamp(float(index) - a.start, -span, span);
  float first = floor((along - 1.0) / a.binSize) - 1.0;
  float last = floor((along + 1.0) / a.binSize) + 1.0;
  if (last < 0.0 || first > float(a.pooled - 1)) return ivec2(1, 0);
  return ivec2(max(first, 0.0), min(last, float(a.pooled - 1)));
}
`;

/**
 * The cull pass's reach of a RoIPool or psRoiPool box (roiCullShader): the
 * pixels roiPoolMayTouch lets through. Needs ROI_POOL_GEOMETRY_GLSL, the box
 * table's reader (BOX_GLSL) and EXACT_ARITHMETIC_GLSL.
 */
export const ROI_POOL_REACH_GLSL = `
int roiBoxImage(int k) {
  return int(roiReadBoxField(k, 0));
}

ivec2 roiPoolReachAxis(float boxStart, float boxEnd) {
  int start = roiRoundHalfAway(boxStart * roiScale);
  int end = max(roiRoundHalfAway(boxEnd * roiScale), start);
  return ivec2(start - 1, end + 1);
}

ivec4 roiBoxReach(int k) {
  return ivec4(roiPoolReachAxis(roiReadBoxField(k, 2), roiReadBoxField(k, 4)),
               roiPoolReachAxis(roiReadBoxField(k, 1), roiReadBoxField(k, 3)));
}
`;

/** A bin's max and where it is. Needs ROI_POOL_GEOMETRY_GLSL and the reader of roiX. */
export const ROI_POOL_BIN_MAX_GLSL = `
// The max of x over bin rows x cols in channels c and (if both) c + 1, and
// the pixel h * W + w holding it: torchvision starts a non-empty bin at the
// lowest float and keeps the first pixel in row-major order on ties (strict
// >); an empty bin gives 0 and pixel -1, as does the second lane unless both.
// Needs the pair reader of roiX (flatPairReader).
struct RoIPoolWinners {
  ivec2 pixel;
  vec2 value;
};

RoIPoolWinners roiPoolBinMax(int imageBase, ivec2 rows, ivec2 cols, int c, bool both) {
  bool empty = rows.y <= rows.x || cols.y <= cols.x;
  float lowest = uintBitsToFloat(0xff7fffffu);  // -FLT_MAX
  RoIPoolWinners best = RoIPoolWinners(ivec2(-1), vec2(empty ? 0.0 : lowest));
  for (int h = rows.x; h < rows.y; h++) {
    int rowBase = imageBase + h * roiXDims.z * roiXDims.w + c;
    for (int w = cols.x; w < cols.y; w++) {
      vec2 v = readRoiXPair(rowBase + w * roiXDims.w, both);
      int pixel = h * roiXDims.z + w;
      if (v.x > best.value.x) {
        best.value.x = v.x;
        best.pixel.x = pixel;
      }
      if (both && v.y > best.value.y) {
        best.value.y = v.y;
        best.pixel.y = pixel;
      }
    }
  }
  if (!both) best = RoIPoolWinners(ivec2(best.pixel.x, -1), vec2(best.value.x, 0.0));
  return best;
}
`;

/** psRoiPool's bins. Needs ROI_POOL_GEOMETRY_GLSL. */
export const PS_ROI_POOL_GEOMETRY_GLSL = `
// ps_roi_pool's axis (src/geometry.ts poolBoxBins, positionSensitive): the
// size has no end pixel, and bins clip to [0, size - 1], so roiPoolBin
// never reaches the map's last pixel.
RoIPoolAxis psRoiPoolAxis(float boxStart, float boxEnd, int pooled, int size) {
  RoIPoolAxis a = roiPoolAxis(boxStart, boxEnd, pooled, size - 1);
  if (a.finite) a.binSize = roiExactQuotient(max(roiRoundHalfAwayFloat(boxEnd * roiScale) - a.start, 1.0), pooled);
  return a;
}
`;
