/**
 * Limits that every backend applies in the same way, so that no argument
 * can make a kernel run for hours (or a GPU dispatch trip the OS watchdog).
 * The GLSL and WGSL geometry read these numbers from here.
 */

/**
 * The most samples a RoIAlign-family bin (roiAlign, psRoiAlign,
 * roiAlignRotated, multiScaleRoiAlign) takes along one axis.
 * - A fixed `samplingRatio` above it is refused by the op with an Error that
 *   names samplingRatio and this limit, before any kernel runs.
 * - With the adaptive grid (samplingRatio <= 0), a box whose bins would need
 *   more than this many samples along an axis (ceil(binSize) > limit, or a
 *   bin size that is not finite) counts as unreadable: its output is 0 and it
 *   passes no gradient, on every backend. torchvision would loop over those
 *   samples for hours; no detector's box comes near it (a 7x7 output would
 *   need a box over 7168 feature pixels).
 */
export const MAX_SAMPLES_PER_BIN_AXIS = 1024;
