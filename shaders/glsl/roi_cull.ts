/**
 * Culling for the dx gathers: which boxes can reach which tile of pixels.
 *
 * WebGL has no atomics, so dx is a gather: each dx element sums the shares
 * of the boxes that sample it. Scanning all K boxes per element costs
 * O(N·H·W·C·K). The cull pass first marks, for each ROI_TILE x ROI_TILE tile
 * of each image, the boxes whose reach (a cheap superset of the pixels their
 * samples touch) meets the tile: ROI_BOXES_PER_WORD boxes per float, as the
 * bits of an integer below 2^16 (exact in float32, whatever the driver does
 * with NaN payloads or denormals, which raw bit casts would risk). A gather
 * then walks only the set bits of its tile's words, in box order, so every
 * element sums its terms in one fixed order and dx is bit-identical run to
 * run.
 *
 * The pass is generic: a program supplies `ivec4 roiBoxReach(int k)` (rows
 * x..y, columns z..w, inclusive, any int range; empty when x > y or z > w)
 * and `int roiBoxImage(int k)` (-1 for a box that reads nothing). Any GLSL
 * kernel with a gather over boxes (MultiScaleRoIAlign's too) can reuse it.
 */
import type {CustomUniforms} from './roi_common';
import {flatReader, OUTPUT_INDEX_GLSL, outputStart, PACKED_OUTPUT_INDEX_GLSL, PACKED_X_BLOCK_GLSL} from './roi_common';

/** Pixels per side of a culling tile. */
export const ROI_TILE = 8;
/** Boxes per word of the cull mask (bits of an exact float32 integer). */
export const ROI_BOXES_PER_WORD = 16;

/**
 * The gather's uniforms: words per tile in the mask, and the words this
 * draw visits, [first, end). A long gather is split into draws of a bounded
 * number of boxes, each adding to the previous draw's partial dx.
 */
export const ROI_CULL_UNIFORMS: CustomUniforms = [
  {name: 'roiCullWords', type: 'int'},
  {name: 'roiWordRange', type: 'ivec2'},
];

/** Tiles per image along each axis, from the uniforms. */
const TILES_GLSL = `
ivec2 roiTiles() {
  return (roiXDims.yz + ${ROI_TILE - 1}) / ${ROI_TILE};
}

// Tile t of the flattened [N, tilesH, tilesW] grid as (image, tile row, tile column).
ivec3 roiTileOf(int t, ivec2 tiles) {
  int n = t / (tiles.x * tiles.y);
  int inImage = t - n * tiles.x * tiles.y;
  int th = inImage / tiles.y;
  return ivec3(n, th, inImage - th * tiles.y);
}
`;

/**
 * The cull pass, [N * tilesH * tilesW, roiCullWords]: word i of a tile has
 * bit b set when box 16 i + b belongs to the tile's image and its reach
 * meets the tile. `reachGlsl` defines roiBoxReach and roiBoxImage; inputs
 * are `inputs` (their readers are declared here).
 */
export function roiCullShader(inputs: string[], reachGlsl: string): string {
  return `${inputs.map(flatReader).join('\n')}
${OUTPUT_INDEX_GLSL}
${TILES_GLSL}
${reachGlsl}
void main() {
  ivec2 tiles = roiTiles();
  ${outputStart('roiXDims.x * tiles.x * tiles.y * roiCullWords')}
  int word = index % roiCullWords;
  ivec3 tile = roiTileOf(index / roiCullWords, tiles);
  int n = tile.x;
  ivec4 rect = ivec4(tile.y, tile.y, tile.z, 0) * ${ROI_TILE};
  rect.y += ${ROI_TILE - 1};
  rect.w = rect.z + ${ROI_TILE - 1};
  int bits = 0;
  for (int b = 0; b < ${ROI_BOXES_PER_WORD}; b++) {
    int k = word * ${ROI_BOXES_PER_WORD} + b;
    if (k >= roiBoxCount) break;
    if (roiBoxImage(k) != n) continue;
    ivec4 reach = roiBoxReach(k);
    if (reach.x <= rect.y && reach.y >= rect.x && reach.z <= rect.w && reach.w >= rect.z) bits |= 1 << b;
  }
  setOutput(float(bits));
}
`;
}

/**
 * An integer pixel range from a float one, [lo, hi] widened by `margin`
 * and clamped to [-1, size] before the conversion (int() of a float beyond
 * the int range is undefined; NaN ends as some clamped value, harmless as
 * the gather decides exactly).
 */
export const REACH_RANGE_GLSL = `
ivec2 roiReachRange(float lo, float hi, float margin, int size) {
  float top = float(size);
  return ivec2(clamp(floor(lo) - margin, -1.0, top), clamp(ceil(hi) + margin, -1.0, top));
}
`;

/**
 * The inputs a gather reads for culling: the mask, the touch table (with
 * `touch`: see roiAlignTouchShader), and the partial dx of earlier draws
 * (packed, read in place: see culledGatherMain).
 */
export function cullInputs(accumulate: boolean, touch = false): string[] {
  return ['roiCull', ...(touch ? ['roiTouch'] : []), ...(accumulate ? ['roiPrevious'] : [])];
}

/**
 * The touch table's exact test for RoIAlign's sampling, finer than a box's
 * reach: [N * tilesH * tilesW, K], for tile and box k the rows (bits 0-7)
 * and columns (bits 8-15) of the tile that some sample of box k has as a
 * corner with a nonzero weight (roiCornerWeight, the weight the gathers
 * use, so a box the table rules out would have added nothing). Samples are
 * sparse in a large box, so most (pixel, box) pairs inside its reach are
 * rejected on this one read. Needs BOX_GLSL and ROI_ALIGN_GEOMETRY_GLSL;
 * inputs roiBoxTable.
 */
export const ROI_ALIGN_TOUCH_GLSL = `
${TILES_GLSL}
// Bit i: pixel first + i of the axis is a corner of some sample with a
// nonzero weight, as roiCornerWeight decides (the weights are >= 0, so the
// sum is nonzero when either corner's weight is). Each candidate sample of
// the tile is evaluated once.
int roiAxisTouch(RoIAlignAxis a, int first) {
  int last = min(first + ${ROI_TILE - 1}, a.size - 1);
  ivec2 near = roiAlignCandidateRange(a, first, last);
  int bits = 0;
  for (int t = near.x; t <= near.y; t++) {
    RoIAlignSample s = roiAlignSample(a, t);
    if (!s.inside) continue;
    if (s.lowWeight != 0.0 && s.low >= first && s.low <= last) bits |= 1 << (s.low - first);
    if (s.highWeight != 0.0 && s.high >= first && s.high <= last) bits |= 1 << (s.high - first);
  }
  return bits;
}

void main() {
  ivec2 tiles = roiTiles();
  ${outputStart('roiXDims.x * tiles.x * tiles.y * roiBoxCount')}
  int k = index % roiBoxCount;
  ivec3 tile = roiTileOf(index / roiBoxCount, tiles);
  RoIBox box = roiReadBox(k);
  if (box.batch != tile.x) {
    setOutput(0.0);
    return;
  }
  RoIAlignAxis ay = roiAlignAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
  RoIAlignAxis ax = roiAlignAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
  int rows = ay.grid == 0 || ax.grid == 0 ? 0 : roiAxisTouch(ay, tile.y * ${ROI_TILE});
  int cols = rows == 0 ? 0 : roiAxisTouch(ax, tile.z * ${ROI_TILE});
  setOutput(cols == 0 ? 0.0 : float(rows | (cols << ${ROI_TILE})));
}
`;

/**
 * The cull mask from the touch table: bit b of word i is set when box
 * 16 i + b touches the tile (its entry is not 0). Input roiTouch.
 */
export const ROI_TOUCH_WORDS_GLSL = `
${TILES_GLSL}
void main() {
  ivec2 tiles = roiTiles();
  ${outputStart('roiXDims.x * tiles.x * tiles.y * roiCullWords')}
  int word = index % roiCullWords;
  int tile = index / roiCullWords;
  int bits = 0;
  for (int b = 0; b < ${ROI_BOXES_PER_WORD}; b++) {
    int k = word * ${ROI_BOXES_PER_WORD} + b;
    if (k >= roiBoxCount) break;
    if (readRoiTouch(tile * roiBoxCount + k) != 0.0) bits |= 1 << b;
  }
  setOutput(float(bits));
}
`;

/**
 * main() of a dx gather over the culled boxes, in tfjs's packed layout of dx
 * [N, H, W, C]: the fragment of texel (n, h, w, c), w and c even, computes
 * the four elements (h, w) and (h, w + 1) in channels c and c + 1, as
 * total.xyzw = (w, c), (w, c + 1), (w + 1, c), (w + 1, c + 1). Both columns
 * lie in one tile (w is even), so the fragment walks its tile's mask once
 * and runs `perBox` once for each box k of it in this draw's words, in
 * increasing k; perBox adds box k's shares to the lanes of total (or
 * continues). Lanes past W (hasColumn.y) or C (secondChannel) stay 0 and
 * must never read past dy's last element. With `accumulate`, total starts
 * from the previous draw's texel (roiPrevious, packed, of the output's own
 * texel layout, read in place), so each element sums in the order one draw
 * would.
 */
export function culledGatherMain(perBox: string, accumulate: boolean): string {
  return `
${TILES_GLSL}
${PACKED_OUTPUT_INDEX_GLSL}
${PACKED_X_BLOCK_GLSL}
// The index of the lowest set bit of a positive int, exactly: a power of two
// converts to float without rounding, so its exponent is the index.
int roiLowestBit(int bits) {
  return (floatBitsToInt(float(bits & -bits)) >> 23) - 127;
}

// The smallest range holding both inclusive ranges (empty ones: first > last).
ivec2 roiRangeUnion(ivec2 a, ivec2 b) {
  if (a.x > a.y) return b;
  if (b.x > b.y) return a;
  return ivec2(min(a.x, b.x), max(a.y, b.y));
}

bool roiInRange(int i, ivec2 range) {
  return i >= range.x && i <= range.y;
}

void main() {
  int imageRow, w, c;
  if (!roiPackedXBlock(imageRow, w, c)) {
    setOutput(vec4(0.0));
    return;
  }
  int C = roiXDims.w;
  int n = imageRow / roiXDims.y, h = imageRow - n * roiXDims.y;
  bvec2 hasColumn = bvec2(true, w + 1 < roiXDims.z);
  bool secondChannel = c + 1 < C;
  vec4 total = ${accumulate ? 'texelFetch(roiPrevious, ivec2(gl_FragCoord.xy), 0)' : 'vec4(0.0)'};
  ivec2 tiles = roiTiles();
  int tile = (n * tiles.x + h / ${ROI_TILE}) * tiles.y + w / ${ROI_TILE};
  int maskBase = tile * roiCullWords;
  for (int word = roiWordRange.x; word < roiWordRange.y; word++) {
    int bits = int(readRoiCull(maskBase + word));
    while (bits != 0) {
      int bit = roiLowestBit(bits);
      bits &= bits - 1;
      int k = word * ${ROI_BOXES_PER_WORD} + bit;
      ${perBox}
    }
  }
  setOutput(total);
}
`;
}

/**
 * main() of a dx gather over the culled boxes (culledGatherMain): the
 * texel of row h and columns w, w + 1 visits each box of its tile that
 * `mayTouch` does not rule out for row h and one of its columns (or, with
 * `touch`, the touch table: see ROI_ALIGN_TOUCH_GLSL), and `perBox` adds
 * that box's shares to total, to column w + i only where near[i] (the
 * columns the test kept), so each element sums the boxes a gather of its
 * own would. The cull pass already matched the box's image.
 */
export function dxGatherMain(mayTouch: string, perBox: string, accumulate: boolean, touch = false): string {
  if (touch) {
    return culledGatherMain(`
      int touched = int(readRoiTouch(tile * roiBoxCount + k));
      if (((touched >> (h % ${ROI_TILE})) & 1) == 0) continue;
      // w is even, so w + 1 is the next bit of the tile's columns.
      int columnBits = touched >> (${ROI_TILE} + w % ${ROI_TILE});
      bvec2 near = bvec2((columnBits & 1) != 0, hasColumn.y && (columnBits & 2) != 0);
      if (!any(near)) continue;
      RoIBox box = roiReadBox(k);
      ${perBox}`, accumulate);
  }
  return culledGatherMain(`
      // The tile's boxes may still miss (h, w) and (h, w + 1): reject them on few reads and no division.
      float y1 = roiReadBoxField(k, 2), y2 = roiReadBoxField(k, 4);
      if (!${mayTouch}(y1, y2, h)) continue;
      float x1 = roiReadBoxField(k, 1), x2 = roiReadBoxField(k, 3);
      bvec2 near = bvec2(${mayTouch}(x1, x2, w), hasColumn.y && ${mayTouch}(x1, x2, w + 1));
      if (!any(near)) continue;
      RoIBox box = RoIBox(n, x1, y1, x2, y2);
      ${perBox}`, accumulate);
}
