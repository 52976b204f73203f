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
 *    whether the box's reach meets the tile (tileCullWgsl). For RoIAlign a
 *    line pass before it (roiAlignTileLinesWgsl) finds, per tile row and box,
 *    which of the tile's 8 rows some sample reads, and per tile column and
 *    box which of its 8 columns; the cull pass then keeps one mask per row
 *    and one per column of the tile, with a box's bit only where it reads
 *    that row (column) and a row (column) of the tile. Where it fits, the line pass
 *    also writes a line table: per tile line and box, each of the 8 lines'
 *    samples with their weights (up to LINE_SAMPLES), so that the gather
 *    reads them instead of working out the box's geometry per pixel;
 * 3. a workgroup of the gather takes one 8 x 8 tile of pixels and one block
 *    of GATHER_CHANNELS channels; its invocations walk the tile's set bits
 *    from the lowest box up (in box order), test the pixel against the box's
 *    reach, and only then run the op's geometry. RoIAlign's walk the bits of
 *    their row's mask AND their column's: only the boxes whose samples read
 *    the pixel, which needs no reach test.
 * The gather costs O(N·H·W·⌈C/32⌉·(K/32 + boxes reaching the tile ×
 * candidate samples)); RoIAlign's O(N·H·W·⌈C/32⌉·(K/16 + boxes whose
 * samples read the pixel × its samples)).
 *
 * There an invocation's channels lie C floats from its neighbours', so on a
 * GPU its dy loads and dx stores do not coalesce. Every dx gather has a
 * second layout for GPUs, the lanes gather (gatherLanesMainWgsl; chosen by
 * kernels/webgpu/gather_webgpu.ts's dxLanes): an invocation sums 4
 * channels (one vec4 where C % 4 == 0) of one pixel, and L = ⌈C/4⌉ rounded
 * up to a power of two, at most 16, neighbouring invocations take the
 * neighbouring groups of 4 channels of that pixel: a workgroup of 64 is
 * 64 / L pixels of a tile row (the tile, in row-major order, for L < 8) by
 * L lanes, and a warp's dy loads and dx stores fall on consecutive
 * addresses. Each lane walks its pixel's masks and reads the line table (or
 * works out the geometry) itself: the same addresses for the L lanes of a
 * pixel, which a GPU serves with one broadcast load, and no workgroup
 * memory or barrier (the workgroup-memory design ran 3-4x slower on
 * SwiftShader). Per channel it adds the same float32 products in the same
 * box and sample order, so dx is the block gather's within rounding (and
 * bit-identical run to run). It costs O(N·H·W·L·⌈C/4L⌉·(K/16 + boxes whose
 * samples read the pixel × its samples)) invocation steps, each adding 4
 * channels: the channel work is the block gather's, the walk is repeated
 * ⌈C/4⌉ times per pixel instead of ⌈C/32⌉ (⌈C/16⌉ for C <= 16). Where lanes
 * run apart (a CPU: SwiftShader runs compute on the host's cores) that
 * repetition is paid in full, so there the block gather stays. The other
 * ops' lanes walk the plain tile mask and test each box's reach, as their
 * block gathers do; the position-sensitive ones read dy a float per
 * channel, as a lane's 4 channels feed 4 bins, and bind only dx as vec4s.
 * The cull pass costs O(tiles·K) bit tests (RoIAlign's: and 16 line bits per
 * box that meets the tile); RoIAlign's line pass O(candidate samples of
 * the 8 rows or columns together) per box and tile row or column its reach
 * meets. Tiles grow past 8 x 8 only where the mask would pass
 * MAX_TILE_MASK_WORDS, so that it stays bounded; RoIAlign's line masks are
 * kept only for 8 x 8 tiles where they fit MAX_LINE_MASK_WORDS, and its
 * line table only where masks and table together fit it too.
 */

/**
 * Channels per invocation. A constant of the program, so that `total` stays
 * in registers.
 */
export const GATHER_CHANNELS = 32;

/**
 * The block of RoIAlign's dx gather for C <= 16: a block of 32 would run
 * its channel loops twice as long as C needs.
 */
export const SMALL_GATHER_CHANNELS = 16;

/**
 * The block of RoIAlign's dx gather for C > 32: one walk of the masks and
 * the line table for 64 channels instead of two for 32 each.
 */
export const LARGE_GATHER_CHANNELS = 64;

/** Channels per invocation of RoIAlign's dx gather for C channels. */
export function gatherChannelBlock(channels: number): number {
  if (channels <= SMALL_GATHER_CHANNELS) return SMALL_GATHER_CHANNELS;
  return channels <= GATHER_CHANNELS ? GATHER_CHANNELS : LARGE_GATHER_CHANNELS;
}

/** Pixels per side of a gather workgroup's tile (its 64 invocations). */
export const GATHER_TILE = 8;

/**
 * Invocations of a gather producing dx of shape [N,H,W,C] in blocks of
 * `block` channels: whole tiles.
 */
export function gatherInvocations(xShape: number[], block = GATHER_CHANNELS): number {
  const [batch, height, width, channels] = xShape;
  return batch * Math.ceil(channels / block) * Math.ceil(height / GATHER_TILE) *
      Math.ceil(width / GATHER_TILE) * GATHER_TILE * GATHER_TILE;
}

/**
 * The most 32-bit words of the tile x box mask: 16 MiB. A detector's map and
 * boxes (200 x 272 pixels, 1000 boxes) need 27,000.
 */
export const MAX_TILE_MASK_WORDS = 1 << 22;

/**
 * The most words of RoIAlign's line masks, (tilesY + tilesX) x K: 64 MiB. A
 * detector's map and boxes (200 x 272 pixels, 1000 boxes) need 59,000.
 */
export const MAX_LINE_MASK_WORDS = 1 << 24;

/**
 * Samples per pixel row or column that RoIAlign's line table lists for one
 * box; a line with more is marked LINE_OVERFLOW and the gather works its
 * samples out from the geometry instead.
 */
export const LINE_SAMPLES = 8;

/** The count of a line whose samples did not fit LINE_SAMPLES. */
export const LINE_OVERFLOW = 15;

/**
 * Words of a line table region, one per (tile line, box): the axis's grid,
 * the counts of its 8 lines (4 bits each), then per line LINE_SAMPLES
 * entries (sample index, weight bits).
 */
export const LINE_REGION_WORDS = 2 + GATHER_TILE * LINE_SAMPLES * 2;

/**
 * How the cull pass tiles the map: tiles of tileSide pixels, maskWords words
 * of box bits each; lineMasks: RoIAlign's line pass runs (roiAlignTileLinesWgsl).
 */
export interface TileLayout {
  tileSide: number;
  tilesY: number;
  tilesX: number;
  maskWords: number;
  lineMasks: boolean;
  /** The line pass also lists each line's samples (lineTableWords). */
  lineTable: boolean;
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
  return {
    tileSide,
    tilesY: Math.ceil(height / tileSide),
    tilesX: Math.ceil(width / tileSide),
    maskWords,
    lineMasks: false,
    lineTable: false,
  };
}

/**
 * Masks per tile with RoIAlign's line masks: one per row of the tile, then
 * one per column (a box's bit set where its samples read that row, or
 * column).
 */
export const LINE_TILE_MASKS = 2 * GATHER_TILE;

/** Words of the tile x box mask; with RoIAlign's line masks, LINE_TILE_MASKS per tile. */
export function tileMaskWords(batchSize: number, layout: TileLayout): number {
  return batchSize * layout.tilesY * layout.tilesX * layout.maskWords * (layout.lineMasks ? LINE_TILE_MASKS : 1);
}

/** Words of RoIAlign's line masks: [tilesY + tilesX, K]. */
export function lineMaskWords(numBoxes: number, layout: TileLayout): number {
  return (layout.tilesY + layout.tilesX) * numBoxes;
}

/** Words of RoIAlign's line masks followed by its line table. */
export function lineTableWords(numBoxes: number, layout: TileLayout): number {
  return lineMaskWords(numBoxes, layout) * (1 + LINE_REGION_WORDS);
}

/**
 * layout with RoIAlign's line masks where the tiles are GATHER_TILE wide (a
 * mask has 8 bits) and the masks fit MAX_LINE_MASK_WORDS and maxWords (the
 * device's binding limit); else unchanged, and the gather tests the reach
 * alone.
 */
export function withLineMasks(batchSize: number, numBoxes: number, layout: TileLayout, maxWords: number): TileLayout {
  const words = lineMaskWords(numBoxes, layout);
  const lineTileWords = tileMaskWords(batchSize, {...layout, lineMasks: true});
  const fits = layout.tileSide === GATHER_TILE && words <= Math.min(MAX_LINE_MASK_WORDS, maxWords) &&
      lineTileWords <= Math.min(MAX_TILE_MASK_WORDS, maxWords);
  const tableFits = fits && lineTableWords(numBoxes, layout) <= Math.min(MAX_LINE_MASK_WORDS, maxWords);
  return {...layout, lineMasks: fits, lineTable: tableFits};
}

/** Uniforms of the cull pass and the gathers, after the geometry's: a TileLayout. */
export const GATHER_UNIFORMS = 'tileSide : i32, tilesY : i32, tilesX : i32, maskWords : i32, lineMasks : i32,';

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
 * and its reach meets the tile. One invocation per (tile, word), so no
 * atomics. With `lines`, it also reads RoIAlign's line masks (tileLines,
 * where uniforms.lineMasks is not 0) and writes [N, tilesY, tilesX,
 * LINE_TILE_MASKS, maskWords] instead: per row of the tile, the boxes that
 * read that row and one of the tile's columns, then per column the boxes
 * that read that column and one of the tile's rows. A pixel's row mask AND
 * its column mask are then the boxes whose samples read the pixel, as the
 * samples of a box form a grid of its row and column samples.
 */
export function tileCullWgsl(lines = false): string {
  // Written out, with constant indices and shifts: a loop of selects over
  // lineBits took about twice the cull's time (SwiftShader).
  const moveLineBits = Array.from({length: GATHER_TILE}, (_, i) => `
        lineBits[${i}] |= ((rows >> ${i}u) & 1u) << u32(b);
        lineBits[${GATHER_TILE + i}] |= ((columns >> ${i}u) & 1u) << u32(b);`).join('');
  const keepLines = lines ? `
    if (uniforms.lineMasks != 0) {
      let rows = bitcast<u32>(tileLines[tileY * uniforms.numBoxes + k]);
      let columns = bitcast<u32>(tileLines[(uniforms.tilesY + tileX) * uniforms.numBoxes + k]);
      if (rows != 0u && columns != 0u) {${moveLineBits}
      }
    }` :
                            '';
  const write = lines ? `if (uniforms.lineMasks != 0) {
    let first = tile * ${LINE_TILE_MASKS} * uniforms.maskWords + word;
    for (var i = 0; i < ${LINE_TILE_MASKS}; i++) {
      setOutputAtIndexI32(first + i * uniforms.maskWords, bitcast<i32>(lineBits[i]));
    }
  } else {
    setOutputAtIndexI32(index, bitcast<i32>(bits));
  }` :
                        'setOutputAtIndexI32(index, bitcast<i32>(bits));';
  return `
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
  ${lines ? `var lineBits : array<u32, ${LINE_TILE_MASKS}>;` : ''}
  for (var b = 0; b < 32; b++) {
    let k = word * 32 + b;
    if (k >= uniforms.numBoxes) {
      break;
    }
    let r = ${REACH_FIELDS} * k;
    if (reach[r] != n || reach[r + 1] > bottom || reach[r + 2] < top || reach[r + 3] > right ||
        reach[r + 4] < left) {
      continue;
    }
    let bit = 1u << u32(b);
    bits |= bit;${keepLines}
  }
  ${write}
}
`;
}

/**
 * The walk of a gather's invocation over the boxes that can touch pixel (n,
 * h, w) of tile `tile`, in box order, running `body` for each with k in
 * scope. With `lineMasks` (RoIAlign's), where uniforms.lineMasks is not 0,
 * it walks the bits of the pixel's row mask AND its column mask
 * (tileCullWgsl), the boxes whose samples read the pixel, and puts rowLines
 * and columnLines, the pixel's tile row's and tile column's words of
 * tileLines, in scope.
 */
function gatherWalkWgsl(body: string, lineMasks: boolean): string {
  const masks = lineMasks ? `
  // With the line masks, LINE_TILE_MASKS masks per tile: the pixel's row's
  // and its column's. A box in both has samples on the pixel's row and
  // column, so one of them reads the pixel and the pixel is in its reach.
  let lines = uniforms.lineMasks != 0;
  let maskStart = select(tile, tile * ${LINE_TILE_MASKS} + h % GATHER_TILE, lines) * uniforms.maskWords;
  let columnMaskStart = (tile * ${LINE_TILE_MASKS} + GATHER_TILE + w % GATHER_TILE) * uniforms.maskWords;
  let rowLines = (h / GATHER_TILE) * uniforms.numBoxes;
  let columnLines = (uniforms.tilesY + w / GATHER_TILE) * uniforms.numBoxes;` :
                            `
  let lines = false;
  let maskStart = tile * uniforms.maskWords;`;
  const columnMask = lineMasks ? `
      if (lines) {
        bits &= bitcast<u32>(tileBoxes[columnMaskStart + word]);
      }` :
                                 '';
  return `${masks}
  // One pass per box, the words without one skipped by a loop of their own:
  // SwiftShader runs every statement of a loop's body on each pass, whatever
  // its lanes take, so a pass per word would cost a box's code per word.
  var word = 0;
  var bits = 0u;
  loop {
    while (bits == 0u && word < uniforms.maskWords) {
      bits = bitcast<u32>(tileBoxes[maskStart + word]);${columnMask}
      word++;
    }
    if (bits == 0u) {
      break;
    }
    // The lowest set bit first: boxes in increasing order.
    let k = (word - 1) * 32 + i32(firstTrailingBit(bits));
    bits &= bits - 1u;
    let r = ${REACH_FIELDS} * k;
    if (!lines && (h < reach[r + 1] || h > reach[r + 2] || w < reach[r + 3] || w > reach[r + 4])) {
      continue;
    }
    ${body}
  }`;
}

/**
 * main() of a gather, with `reach` (reachWgsl) and `tileBoxes` (the cull
 * pass) inputs and GATHER_UNIFORMS. `body` runs once per box that can touch
 * the pixel, in box order, with k, the pixel n, h, w and its first channel
 * c0 in scope, and adds the gradient of channel c0 + j (when below
 * uniforms.channels) to total[j]; main writes the block out. With
 * `lineMasks` (RoIAlign's), see gatherWalkWgsl. Each invocation sums
 * `block` channels (GATHER_CHANNELS in the shader), as gatherInvocations
 * counts them. With `vec4` (C % 4 == 0 and block % 4 == 0) total is an
 * array of vec4s and `body` adds channels c0 + 4 j .. c0 + 4 j + 3 to
 * total[j].
 */
export function gatherMainWgsl(body: string, lineMasks = false, block = GATHER_CHANNELS, vec4 = false): string {
  const write = vec4 ? `
  for (var j = 0; j < GATHER_CHANNELS / 4; j++) {
    if (c0 + 4 * j < uniforms.channels) {
      setOutputAtIndex(out + 4 * j, total[j].x);
      setOutputAtIndex(out + 4 * j + 1, total[j].y);
      setOutputAtIndex(out + 4 * j + 2, total[j].z);
      setOutputAtIndex(out + 4 * j + 3, total[j].w);
    }
  }` :
                       `
  for (var j = 0; j < GATHER_CHANNELS; j++) {
    if (c0 + j < uniforms.channels) {
      setOutputAtIndex(out + j, total[j]);
    }
  }`;
  return `
const GATHER_CHANNELS : i32 = ${block};
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
  let tile = (n * uniforms.tilesY + h / uniforms.tileSide) * uniforms.tilesX + w / uniforms.tileSide;
  var total : ${vec4 ? 'array<vec4<f32>, GATHER_CHANNELS / 4>' : 'array<f32, GATHER_CHANNELS>'};${
      gatherWalkWgsl(body, lineMasks)}
  let out = ((n * uniforms.height + h) * uniforms.width + w) * uniforms.channels + c0;${write}
}
`;
}

/** Channel lanes of the lanes gather: at most 16, so a workgroup has 4 pixels at least. */
export const MAX_GATHER_LANES = 16;

/**
 * Lanes of the lanes gather for C channels: one per group of 4 channels,
 * rounded up to a power of two (so a workgroup's pixels split the tile
 * evenly), at most MAX_GATHER_LANES. The shader works the same number out
 * of uniforms.channels (gatherLanesMainWgsl).
 */
export function gatherLanes(channels: number): number {
  const groups = Math.ceil(channels / 4);
  let lanes = 1;
  while (lanes < groups && lanes < MAX_GATHER_LANES) lanes *= 2;
  return lanes;
}

/**
 * Invocations of a lanes gather producing dx [N,H,W,C]: per image, block of
 * 4 x lanes channels and 8 x 8 tile, `lanes` workgroups of 64, each
 * 64 / lanes pixels x lanes.
 */
export function gatherLanesInvocations(xShape: number[]): number {
  const lanes = gatherLanes(xShape[3]);
  return gatherInvocations(xShape, 4 * lanes) * lanes;
}

/**
 * How a dx gather spreads channels over invocations: 'block' (gatherMainWgsl,
 * GATHER_CHANNELS each), 'lanes' (gatherLanesMainWgsl, reading 4 floats) or
 * 'lanes4' (the same with dy, dx and the winners bound as vec4s, for C % 4
 * == 0). RoIPool's, the position-sensitive and the rotated gathers take it;
 * RoIAlign's has its own block sizes.
 */
export type GatherLayout = 'block'|'lanes'|'lanes4';

/** The layout of a dx gather over C channels, in lanes or not. */
export function gatherLayout(channels: number, lanes: boolean): GatherLayout {
  return lanes ? (channels % 4 === 0 ? 'lanes4' : 'lanes') : 'block';
}

/** Invocations of a dx gather producing dx [N,H,W,C] in `layout`. */
export function gatherLayoutInvocations(xShape: number[], layout: GatherLayout): number {
  return layout === 'block' ? gatherInvocations(xShape) : gatherLanesInvocations(xShape);
}

/**
 * In a lanes gather's body: the lane's 4 elements of `name` (of WGSL type
 * `type`) from flat element `index`, its first channel's: one vec4 load with
 * vec4 bindings, else 4, the last channel again past it (laneOffsets).
 */
export function lanesReadWgsl(name: string, index: string, vec4: boolean, type = 'f32'): string {
  return vec4 ? `${name}[(${index}) / 4]` :
                `vec4<${type}>(${name}[${index}], ${name}[${index} + laneOffsets.y], ${name}[${index} + laneOffsets.z], ${
                    name}[${index} + laneOffsets.w])`;
}

/**
 * main() of the lanes gather (RoIAlign's with line masks; the others' with
 * `lineMasks` false, testing each box's reach as gatherMainWgsl does): as
 * gatherMainWgsl, but adjacent invocations take adjacent groups of 4
 * channels of the same pixel, so that on a GPU their dy loads and dx stores
 * fall on consecutive addresses. A workgroup of 64 holds 64 / lanes pixels
 * of one 8 x 8 tile (in row-major order: half a tile row at 16 lanes) times
 * `lanes` (gatherLanes); each invocation walks its pixel's boxes as the
 * block gather does and sums its 4 channels in `total`, a vec4, with c0 its
 * first channel in scope. The walk's mask, geometry and line table reads are
 * the same for a pixel's lanes. With `vec4`, dy (and dx, and the winners)
 * are bound as vec4s (C % 4 == 0) and `body` reads one; else it reads 4
 * floats, the lanes past the last channel reading it again, and main writes
 * the ones that exist.
 */
export function gatherLanesMainWgsl(body: string, vec4: boolean, lineMasks = true): string {
  const write = vec4 ? `
  setOutputAtIndex(out / 4, total);` :
                       `
  let count = min(uniforms.channels - c0, 4);
  setOutputAtIndex(out, total.x);
  if (count > 1) {
    setOutputAtIndex(out + 1, total.y);
  }
  if (count > 2) {
    setOutputAtIndex(out + 2, total.z);
  }
  if (count > 3) {
    setOutputAtIndex(out + 3, total.w);
  }`;
  return `
const GATHER_TILE : i32 = ${GATHER_TILE};

fn main(index : i32) {
  let groups = u32((uniforms.channels + 3) / 4);
  let lanes = i32(min(${MAX_GATHER_LANES}u, select(1u << (32u - countLeadingZeros(groups - 1u)), 1u, groups <= 1u)));
  let pixels = (GATHER_TILE * GATHER_TILE) / lanes;
  // Workgroup (((n * blocks + block) * groupsY + groupY) * groupsX + groupX)
  // * lanes + part holds pixels part * pixels .. of the tile, row-major, each
  // with its lanes side by side.
  let blocks = (uniforms.channels + 4 * lanes - 1) / (4 * lanes);
  let groupsY = (uniforms.height + GATHER_TILE - 1) / GATHER_TILE;
  let groupsX = (uniforms.width + GATHER_TILE - 1) / GATHER_TILE;
  let group = index / (GATHER_TILE * GATHER_TILE);
  let local = index - group * (GATHER_TILE * GATHER_TILE);
  let part = group % lanes;
  let tileGroup = group / lanes;
  let groupX = tileGroup % groupsX;
  let groupY = (tileGroup / groupsX) % groupsY;
  let imageBlock = tileGroup / (groupsX * groupsY);
  let n = imageBlock / blocks;
  let pixel = part * pixels + local / lanes;
  let c0 = ((imageBlock - n * blocks) * lanes + local % lanes) * 4;
  let h = groupY * GATHER_TILE + pixel / GATHER_TILE;
  let w = groupX * GATHER_TILE + pixel % GATHER_TILE;
  // No barriers: a lane with nothing to do leaves at once.
  if (n >= uniforms.batchSize || h >= uniforms.height || w >= uniforms.width || c0 >= uniforms.channels) {
    return;
  }
  ${vec4 ? '' : `// The lane's 4 channels' offsets from c0, the last channel again past it.
  let lastOffset = uniforms.channels - 1 - c0;
  let laneOffsets = vec4<i32>(0, min(1, lastOffset), min(2, lastOffset), min(3, lastOffset));`}
  let tile = (n * uniforms.tilesY + h / uniforms.tileSide) * uniforms.tilesX + w / uniforms.tileSide;
  var total = vec4<f32>(0.0);${gatherWalkWgsl(body, lineMasks)}
  let out = ((n * uniforms.height + h) * uniforms.width + w) * uniforms.channels + c0;${write}
}
`;
}
