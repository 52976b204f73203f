/**
 * The frame of the dx gathers (RoIAlign's and RoIPool's gradients w.r.t. x).
 * Every dx element is summed by one invocation in a fixed order, so the
 * result is the same bit for bit from run to run (WGSL has no float atomics,
 * and a compare-and-swap loop would add in whatever order invocations ran).
 *
 * Each invocation scans all boxes for those that touch its pixel, so the
 * scan is made cheap twice over: an invocation owns one pixel and a block of
 * channels (which boxes touch a pixel does not depend on the channel), and a
 * pass before the gather stores each box's reach (its image and the pixel
 * rectangle it can touch), so most boxes are turned away by five integer
 * loads instead of by recomputing their geometry.
 */

/** Channels per invocation. A constant, so that `total` stays in registers. */
export const GATHER_CHANNELS = 32;

/** Invocations of a gather producing dx of shape [N,H,W,C]. */
export function gatherInvocations(xShape: number[]): number {
  const [batch, height, width, channels] = xShape;
  return batch * height * width * Math.ceil(channels / GATHER_CHANNELS);
}

/** The reach of a box: image, first and last row, first and last column. */
export const REACH_FIELDS = 5;

/**
 * User code of the reach pass: boxes, boxIndices -> reach [K, 5] int32, the
 * image (-1 for a box that reads nothing) and the rectangle roiBoxReach of
 * the op's geometry (which `geometry` defines) gives. Geometries with other
 * boxes name their own box reader and reach.
 */
export function reachWgsl(geometry: string, readBox = 'roiReadBox', boxReach = 'roiBoxReach'): string {
  return `
${geometry}

fn main(index : i32) {
  if (index >= uniforms.numBoxes) {
    return;
  }
  let box = ${readBox}(index);
  var reach = vec4<i32>(1, 0, 1, 0);
  if (box.readable) {
    reach = ${boxReach}(box);
  }
  let out = ${REACH_FIELDS} * index;
  setOutputAtIndexI32(out, select(-1, box.batch, box.readable));
  setOutputAtIndexI32(out + 1, reach.x);
  setOutputAtIndexI32(out + 2, reach.y);
  setOutputAtIndexI32(out + 3, reach.z);
  setOutputAtIndexI32(out + 4, reach.w);
}
`;
}

/**
 * main() of a gather, with a `reach` input from reachWgsl. `body` runs once
 * per box that can touch the pixel, with k, the pixel n, h, w and its first
 * channel c0 in scope, and adds the gradient of channel c0 + j (when below
 * uniforms.channels) to total[j]; main writes the block out.
 */
export function gatherMainWgsl(body: string): string {
  return `
const GATHER_CHANNELS : i32 = ${GATHER_CHANNELS};

fn main(index : i32) {
  let blocks = (uniforms.channels + GATHER_CHANNELS - 1) / GATHER_CHANNELS;
  let pixels = uniforms.batchSize * uniforms.height * uniforms.width;
  if (index >= pixels * blocks) {
    return;
  }
  let pixelIndex = index / blocks;
  let c0 = (index - pixelIndex * blocks) * GATHER_CHANNELS;
  let coords = roiCoords(pixelIndex, vec4<i32>(1, uniforms.batchSize, uniforms.height, uniforms.width));
  let n = coords.y;
  let h = coords.z;
  let w = coords.w;
  var total : array<f32, GATHER_CHANNELS>;
  for (var k = 0; k < uniforms.numBoxes; k++) {
    let r = ${REACH_FIELDS} * k;
    if (reach[r] != n || h < reach[r + 1] || h > reach[r + 2] || w < reach[r + 3] || w > reach[r + 4]) {
      continue;
    }
    ${body}
  }
  let out = pixelIndex * uniforms.channels + c0;
  for (var j = 0; j < GATHER_CHANNELS; j++) {
    if (c0 + j < uniforms.channels) {
      setOutputAtIndex(out + j, total[j]);
    }
  }
}
`;
}
