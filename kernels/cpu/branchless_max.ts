/**
 * Helpers for running maxima that select without a data-dependent branch.
 *
 * A running max over random data changes often and unpredictably, and a
 * branch per element that the CPU mispredicts costs more than the rest of the
 * loop. V8 compiles `+(a > b)` to a flag-to-register move, not a branch, so
 * these select with arithmetic on that 0 / 1 instead. That is exact only for
 * some inputs (not NaN, for one); the callers notice the bins where it may
 * not be and redo them with a plain comparing loop, which stays the
 * definition.
 */

/**
 * An int32 that orders as the float32 whose bits are `bits` does, for every
 * value but NaN: negative floats have their magnitude bits reversed and move
 * up by one, so that -0 and +0 both map to 0 and compare equal, as floats do.
 */
export function orderedKey(bits: number): number {
  const sign = bits >> 31;
  return (bits ^ (sign & 0x7fffffff)) - sign;
}

/**
 * A cheaper order for callers that need only the max value: as orderedKey,
 * but -0 sorts just below +0. Its own inverse.
 */
export function signedOrderKey(bits: number): number {
  return bits ^ ((bits >> 31) & 0x7fffffff);
}

/** The float32 bits of an orderedKey (a key of 0 gives +0). */
export function fromOrderedKey(key: number): number {
  const sign = key >> 31;
  return (key + sign) ^ (sign & 0x7fffffff);
}
