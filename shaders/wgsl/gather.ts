/**
 * The frame of the dx gathers (the gradients w.r.t. x of RoIAlign, RoIPool,
 * psRoiAlign, psRoiPool and RoIAlignRotated). Every dx element is summed by
 * one invocation in a fixed order, box by box, so the result is the same bit
 * for bit from run to run (WGSL has no float atomics, and a compare-and-swap
 * loop would add in whatever order invocations ran).
 *
 * Cost follows the boxes that touch a pixel, not all K boxes:
 * 1. the reach pass stores each box's image and the pixel rectangle it can
 *    touch (reachWgsl), one invocation per box;
 * 2. the cull pass sets, for every tile of pixels and every box, one bit:
 *    whether the box's reach meets the tile (tileCullWgsl);
 * 3. a workgroup of the gather takes one 8 x 8 tile of pixels and one block
 *    of GATHER_CHANNELS channels; its invocations walk the tile's set bits
 *    from the lowest box up (the same boxes for the whole workgroup, in box
 *    order), test the pixel against the box's reach, and only then run the
 *    op's geometry.
 * The gather costs O(N·H·W·⌈C/32⌉·(K/32 + boxes touching the tile)), the
 * cull pass O(tiles·K) bit tests; tiles grow past 8 x 8 only where the mask
 * would pass MAX_TILE_MASK_WORDS, so that it stays bounded.
 */

/** Channels per invocation. A constant, so that `total` stays in registers. */
export const GATHER_CHANNELS = 32;

/** Pixels per side of a gather workgroup's tile (its 64 invocations). */
export const GATHER_TILE = 8;

/** Invocations of a gather producing dx of shape [N,H,W,C]: whole tiles. */
export function gatherInvocations(xShape: number[]): number {
  const [batch, height, width, channels] = xShape;
  return batch * Math.ceil(channels / GATHER_CHANNELS) * Math.ceil(height / GATHER_TILE) *
      Math.ceil(width / GATHER_TILE) * GATHER_TILE * GATHER_TILE;
}

/**
 * The most 32-bit words of the tile x box mask: 16 MiB. A detector's map and
 * boxes (200 x 272 pixels, 1000 boxes) need 27,000.
 */
export const MAX_TILE_MASK_WORDS = 1 << 22;

/** How the cull pass tiles the map: tiles of tileSide pixels, maskWords words of box bits each. */
export interface TileLayout {
  tileSide: number;
  tilesY: number;
  tilesX: number;
  maskWords: number;
}

/**
 * The smallest tiles, a multiple of GATHER_TILE so that a workgroup's pixels
 * share one, whose mask fits MAX_TILE_MASK_WORDS.
 */
export function tileLayout(xShape: number[], numBoxes: number): TileLayout {
  const [batch, height, width] = xShape;
  const maskWords = Math.ceil(numBoxes / 32);
  let tileSide = GATHER_TILE;
  const words = (side: number) => batch * Math.ceil(height / side) * Math.ceil(width / side) * maskWords;
  while (words(tileSide) > MAX_TILE_MASK_WORDS && tileSide < Math.max(height, width)) tileSide *= 2;
  return {tileSide, tilesY: Math.ceil(height / tileSide), tilesX: Math.ceil(width / tileSide), maskWords};
}

/** Uniforms of the cull pass and the gathers, after the geometry's: a TileLayout. */
export const GATHER_UNIFORMS = 'tileSide : i32, tilesY : i32, tilesX : i32, maskWords : i32,';

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
 * User code of the cull pass: reach -> tileBoxes [N, tilesY, tilesX,
 * maskWords] int32, bit b of word i set when box 32 i + b belongs to image n
 * and its reach meets the tile. One invocation per word, so no atomics.
 */
export const TILE_CULL_WGSL = `
fn main(index : i32) {
  if (index >= uniforms.batchSize * uniforms.tilesY * uniforms.tilesX * uniforms.maskWords) {
    return;
  }
  let word = index % uniforms.maskWords;
  let tile = index / uniforms.maskWords;
  let tileX = tile % uniforms.tilesX;
  let tileY = (tile / uniforms.tilesX) % uniforms.tilesY;
  let n = tile / (uniforms.tilesX * uniforms.tilesY);
  let top = tileY * uniforms.tileSide;
  let bottom = min(top + uniforms.tileSide, uniforms.height) - 1;
  let left = tileX * uniforms.tileSide;
  let right = min(left + uniforms.tileSide, uniforms.width) - 1;
  var bits = 0u;
  for (var b = 0; b < 32; b++) {
    let k = word * 32 + b;
    if (k >= uniforms.numBoxes) {
      break;
    }
    let r = ${REACH_FIELDS} * k;
    if (reach[r] == n && reach[r + 1] <= bottom && reach[r + 2] >= top && reach[r + 3] <= right &&
        reach[r + 4] >= left) {
      bits |= 1u << u32(b);
    }
  }
  setOutputAtIndexI32(index, bitcast<i32>(bits));
}
`;

/**
 * main() of a gather, with `reach` (reachWgsl) and `tileBoxes` (the cull
 * pass) inputs and GATHER_UNIFORMS. `body` runs once per box that can touch
 * the pixel, in box order, with k, the pixel n, h, w and its first channel
 * c0 in scope, and adds the gradient of channel c0 + j (when below
 * uniforms.channels) to total[j]; main writes the block out.
 */
export function gatherMainWgsl(body: string): string {
  return `
const GATHER_CHANNELS : i32 = ${GATHER_CHANNELS};
const GATHER_TILE : i32 = ${GATHER_TILE};

fn main(index : i32) {
  // Workgroup ((n * blocks + block) * groupsY + groupY) * groupsX + groupX
  // holds the tile's pixels in row-major order.
  let blocks = (uniforms.channels + GATHER_CHANNELS - 1) / GATHER_CHANNELS;
  let groupsY = (uniforms.height + GATHER_TILE - 1) / GATHER_TILE;
  let groupsX = (uniforms.width + GATHER_TILE - 1) / GATHER_TILE;
  let group = index / (GATHER_TILE * GATHER_TILE);
  let lane = index - group * (GATHER_TILE * GATHER_TILE);
  let groupX = group % groupsX;
  let groupY = (group / groupsX) % groupsY;
  let imageBlock = group / (groupsX * groupsY);
  let n = imageBlock / blocks;
  let c0 = (imageBlock - n * blocks) * GATHER_CHANNELS;
  let h = groupY * GATHER_TILE + lane / GATHER_TILE;
  let w = groupX * GATHER_TILE + lane % GATHER_TILE;
  if (n >= uniforms.batchSize || h >= uniforms.height || w >= uniforms.width) {
    return;
  }
  let maskStart = ((n * uniforms.tilesY + h / uniforms.tileSide) * uniforms.tilesX + w / uniforms.tileSide) *
      uniforms.maskWords;
  var total : array<f32, GATHER_CHANNELS>;
  for (var word = 0; word < uniforms.maskWords; word++) {
    var bits = bitcast<u32>(tileBoxes[maskStart + word]);
    while (bits != 0u) {
      // The lowest set bit first: boxes in increasing order.
      let k = word * 32 + i32(firstTrailingBit(bits));
      bits &= bits - 1u;
      let r = ${REACH_FIELDS} * k;
      if (h < reach[r + 1] || h > reach[r + 2] || w < reach[r + 3] || w > reach[r + 4]) {
        continue;
      }
      ${body}
    }
  }
  let out = ((n * uniforms.height + h) * uniforms.width + w) * uniforms.channels + c0;
  for (var j = 0; j < GATHER_CHANNELS; j++) {
    if (c0 + j < uniforms.channels) {
      setOutputAtIndex(out + j, total[j]);
    }
  }
}
`;
}
