/**
 * The FPN level rule of torchvision's MultiScaleRoIAlign (its LevelMapper),
 * decided exactly by comparing a box's float32 area with per-level
 * thresholds that are found once per call, on the CPU, from the options
 * alone (no tensor data).
 *
 * torchvision computes, in float32,
 *   floor(k0 + log2(sqrt(area) / s0) + 1e-6)
 * with area = (x2 - x1) * (y2 - y1). Every step is monotonic in the area, so
 * the boxes that reach level k are exactly those whose area is at least the
 * least float32 area that reaches it. Comparing the area with that threshold
 * needs only a subtraction, a multiplication and a comparison, which every
 * backend (every GPU included) does exactly in float32.
 */

/** torchvision's LevelMapper eps, as the float32 tensor it adds. */
const LEVEL_EPSILON = Math.fround(1e-6);

/**
 * The unclamped level torchvision's float32 chain gives a box of this
 * float32 area: -Infinity for a zero area, NaN for a negative one. sqrt and
 * the arithmetic are correctly rounded in IEEE float32, as Math.fround of
 * the float64 result; log2 is rounded to the nearest float32 as well, which
 * test/multi_scale_roi_align.spec.ts checks against torchvision's thresholds.
 */
export function torchvisionLevel(area: number, canonicalScale: number, canonicalLevel: number): number {
  const f = Math.fround;
  const size = f(Math.sqrt(f(area)));
  const log = f(Math.log2(f(size / f(canonicalScale))));
  return Math.floor(f(f(f(canonicalLevel) + log) + LEVEL_EPSILON));
}

const bits = new Int32Array(1);
const asFloat = new Float32Array(bits.buffer);

function float32OfBits(b: number): number {
  bits[0] = b;
  return asFloat[0];
}

/** Bit pattern of +Infinity: positive float32s order as their bit patterns. */
const INFINITY_BITS = 0x7f800000;

/**
 * The least float32 area (> 0) whose level by torchvisionLevel is at least
 * `level`, by bisection over the bit patterns of the positive float32s.
 */
function leastAreaOfLevel(level: number, canonicalScale: number, canonicalLevel: number): number {
  let low = 0, high = INFINITY_BITS;  // level(low) < level <= level(high)
  while (high - low > 1) {
    const mid = low + Math.floor((high - low) / 2);
    if (torchvisionLevel(float32OfBits(mid), canonicalScale, canonicalLevel) >= level) {
      high = mid;
    } else {
      low = mid;
    }
  }
  return float32OfBits(high);
}

/**
 * The least float32 area of each level after the first, for levels
 * firstLevel .. firstLevel + numLevels - 1: a box of area a >= 0 is at
 * level index #{thresholds t : a >= t} (clamping at both ends included, a
 * zero area's -Infinity too); a negative or NaN area has no level.
 */
export function levelThresholds(
    firstLevel: number, numLevels: number, canonicalScale: number, canonicalLevel: number): number[] {
  const thresholds: number[] = [];
  for (let level = firstLevel + 1; level < firstLevel + numLevels; level++) {
    thresholds.push(leastAreaOfLevel(level, canonicalScale, canonicalLevel));
  }
  return thresholds;
}
