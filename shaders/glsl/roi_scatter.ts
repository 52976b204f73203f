/**
 * dx as a scatter with additive blending: one point per sample of each bin
 * of each box, covering the 2x2 pixels of its corners, whose fragments add
 * their corner's share of dy into a float render target. Blending is
 * deterministic where a gather of atomics would not be: GL blends the
 * fragments of one pixel in primitive order, and the points are drawn in
 * the order (box, bin, sample), so every dx element sums its terms in one
 * fixed order and the result is bit-identical run to run. The work is one
 * vertex per sample (and slab) and one fragment per (sample, corner,
 * channel): it follows the samples, not the map's area times the boxes.
 *
 * The target is an RGBA32F texture of [slabs * N * H * side, W * side]
 * texels, four channels to a texel, so that one fragment adds a corner's
 * share to four channels at once: each pixel is a tile of side x side
 * texels holding up to slabQuads texels of channels, row by row, and the
 * channels are cut into slabs of slabQuads texels so that a row fits the
 * texture size limit (and a point the point size limit): pixel (n, h, w)'s
 * channels 4 (s * slabQuads + q) to 4 (s * slabQuads + q) + 3 lie in row
 * ((s * N + n) * H + h) * side + q / side, column w * side + q % side.
 * Then a sample's four corners are a square of 2 side x 2 side texels,
 * one point of that size. (A quad of two triangles per sample cost six
 * vertices, two primitives and a division per fragment.)
 * roiUnscatterShader copies the target into dx in tfjs's packed layout.
 *
 * The vertex shader places the sample from the forward's sample table,
 * which the one GLSL geometry (ROI_ALIGN_GEOMETRY_GLSL, exact divisions
 * included) computes once per box and sample row or column; the fragment shader
 * takes its corners and weights as flat varyings and weighs them with the
 * same roiCornerWeight as the gather. dy reaches the fragments as the dy
 * shares (roiScatterSharesShader), four channels to a texel, prepared
 * once per call.
 */
import type {RoIAlignMode} from '../../src/kernel_names';

import {ROI_ALIGN_GEOMETRY_GLSL, ROI_ALIGN_TABLE_ENTRY_GLSL, ROI_ALIGN_TABLE_SAMPLES_GLSL} from './roi_align_geometry';
import type {CustomUniforms} from './roi_common';
import {BOX_GLSL, EXACT_ARITHMETIC_GLSL, flatPairReader, flatReader, PACKED_OUTPUT_INDEX_GLSL, PACKED_X_BLOCK_GLSL, ROI_ALIGN_UNIFORMS} from './roi_common';

/** The scatter's own uniforms, beside ROI_ALIGN_UNIFORMS. */
export const ROI_SCATTER_UNIFORMS: CustomUniforms = [
  // The first quad of this draw: a long scatter is split into draws.
  {name: 'roiFirstQuad', type: 'int'},
  // Texels (four channels each) per pixel of a slab, and the number of slabs.
  {name: 'roiSlabQuads', type: 'int'},
  {name: 'roiSlabs', type: 'int'},
  // The side of a pixel's tile of texels.
  {name: 'roiTileSide', type: 'int'},
  // The target's [columns, rows] in texels.
  {name: 'roiTargetSize', type: 'vec2'},
];

/** The uniforms of the copy into dx's layout (beside ROI_POOL_UNIFORMS). */
export const ROI_UNSCATTER_UNIFORMS: CustomUniforms = [{name: 'roiSlabQuads', type: 'int'}, {name: 'roiTileSide', type: 'int'}];

/** A sampler read with flatReader: its texture, texture shape and offset. */
function samplerDeclarations(name: string): string {
  return `uniform sampler2D ${name};
uniform ivec2 ${name}TexShape;
uniform int offset${name};
${flatReader(name)}`;
}

function uniformDeclarations(uniforms: CustomUniforms): string {
  return uniforms.map(u => `uniform ${u.type} ${u.name};`).join('\n');
}

const HEADER = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
`;

/** Everything both stages declare, so that their uniforms match. */
function sharedDeclarations(): string {
  return `${HEADER}
${uniformDeclarations([...ROI_ALIGN_UNIFORMS, ...ROI_SCATTER_UNIFORMS])}
${EXACT_ARITHMETIC_GLSL}
${ROI_ALIGN_GEOMETRY_GLSL}
`;
}

/**
 * The vertex stage: vertex q is the point of sample roiFirstQuad + q,
 * which is ((k * outH + ph) * outW + pw) * ratio^2 + iy * ratio + ix,
 * times the slabs plus the slab. The sample's corners and weights come
 * from the forward's sample table (roiSampleTableShader: each box's row
 * and column samples, computed once with the one GLSL geometry), two
 * entries per point instead of working out the box's axes. A sample
 * outside the map, or of a box that reads nothing, puts its point off the
 * target (no fragment). Needs a fixed samplingRatio (> 0): the adaptive
 * grid's samples per bin depend on the box.
 */
export function roiAlignScatterVertexShader(): string {
  return `${sharedDeclarations()}
${samplerDeclarations('roiBoxTable')}
${BOX_GLSL}
uniform sampler2D roiSampleTable;
uniform ivec2 roiSampleTableTexShape;
uniform int offsetroiSampleTable;
${flatPairReader('roiSampleTable')}
${ROI_ALIGN_TABLE_ENTRY_GLSL}
${ROI_ALIGN_TABLE_SAMPLES_GLSL}
flat out ivec4 vCorners;   // low row, high row, low column, high column
flat out vec4 vWeights;    // their weights
// The bin's entry in the dy shares (roiScatterSharesShader) for the slab's first texel, the sample's
// index in its bin, and the target row and column of the point's first texel.
flat out ivec4 vSample;
flat out int vSlabTexels;  // the slab's texels that hold channels (the last slab's may be fewer)

void main() {
  int quad = roiFirstQuad + gl_VertexID;
  int slab = quad % roiSlabs;
  quad /= roiSlabs;
  int ratio = roiSamplingRatio;
  int inBin = quad % (ratio * ratio);
  int bin = quad / (ratio * ratio);
  int bins = roiPooledSize.x * roiPooledSize.y;
  int k = bin / bins;
  int ph = (bin - k * bins) / roiPooledSize.y;
  int pw = bin - k * bins - ph * roiPooledSize.y;
  // Off the target: no fragment.
  gl_Position = vec4(-2.0, -2.0, 0.0, 1.0);
  gl_PointSize = float(2 * roiTileSide);
  int batch = int(roiReadBoxField(k, 0));
  if (batch < 0) return;
  roiTableBox = k;
  int iy = inBin / ratio;
  RoIAlignSample sy = roiTableEntrySample(ph * ratio + iy);
  RoIAlignSample sx = roiTableEntrySample((roiPooledSize.x + pw) * ratio + inBin - iy * ratio);
  if (!sy.inside || !sx.inside) return;
  vCorners = ivec4(sy.low, sy.high, sx.low, sx.high);
  vWeights = vec4(sy.lowWeight, sy.highWeight, sx.lowWeight, sx.highWeight);
  int firstRow = ((slab * roiXDims.x + batch) * roiXDims.y + sy.low) * roiTileSide;
  int firstColumn = sx.low * roiTileSide;
  int texels = (roiXDims.w + 3) / 4;
  int firstTexel = slab * roiSlabQuads;
  vSample = ivec4(bin * texels + firstTexel, inBin, firstRow, firstColumn);
  vSlabTexels = min(texels - firstTexel, roiSlabQuads);
  // A point of even size centred on a texel corner covers whole texels only.
  vec2 centre = vec2(firstColumn + roiTileSide, firstRow + roiTileSide);
  gl_Position = vec4(centre / roiTargetSize * 2.0 - 1.0, 0.0, 1.0);
}
`;
}

/**
 * The fragment stage: texel (column, row) of the point is a corner, the
 * low or the high row and column, and the slab's q-th texel of channels;
 * it adds the sample's share of dy there, per channel as the gather
 * (roiAlignGradShader) would: 'avg' (dy / count) * wy * wx, 'max'
 * dy * (wy * wx) where the sample is the bin's winner in that channel.
 * dy (over count in 'avg') and the winners come four channels to a texel
 * from the dy shares, so a fragment fetches one texel ('max': two) where
 * it read four elements (eight) of dy and the winners by flat index, each
 * with a division; the corner is found without one. A channel past the
 * last adds 0; a texel of zero weight, or where no channel's winner is
 * this sample, adds nothing.
 */
export function roiAlignScatterFragmentShader(mode: RoIAlignMode): string {
  const share = mode === 'max' ? `
  int entry = 2 * (vSample.x + q);
  int row = entry / columns;
  int column = entry - row * columns;
  vec4 dy = texelFetch(roiDyShares, ivec2(column, row), 0);
  vec4 winners = texelFetch(roiDyShares, column + 1 < columns ? ivec2(column + 1, row) : ivec2(0, row + 1), 0);
  bvec4 won = equal(ivec4(winners), ivec4(vSample.y));
  if (!any(won)) discard;
  roiShare = mix(vec4(0.0), dy * (wy * wx), won);
` : `
  int entry = vSample.x + q;
  int row = entry / columns;
  roiShare = texelFetch(roiDyShares, ivec2(entry - row * columns, row), 0) * wy * wx;
`;
  return `${sharedDeclarations()}
uniform sampler2D roiDyShares;
uniform ivec2 roiDySharesTexShape;
flat in ivec4 vCorners;
flat in vec4 vWeights;
flat in ivec4 vSample;
flat in int vSlabTexels;
out vec4 roiShare;

void main() {
  // (column, row) in the point: the low corner's tile, then the high one's, each way.
  ivec2 at = ivec2(gl_FragCoord.xy) - vSample.wz;
  ivec2 high = ivec2(greaterThanEqual(at, ivec2(roiTileSide)));
  at -= high * roiTileSide;
  int q = at.y * roiTileSide + at.x;
  if (q >= vSlabTexels) discard;
  // Pixel low + 1 where a clamped sample has high == low: weight 0, no fragment.
  float wy = roiCornerWeight(RoIAlignSample(true, vCorners.x, vCorners.y, vWeights.x, vWeights.y, 0.0, 0.0),
                             vCorners.x + high.y);
  float wx = roiCornerWeight(RoIAlignSample(true, vCorners.z, vCorners.w, vWeights.z, vWeights.w, 0.0, 0.0),
                             vCorners.z + high.x);
  if (wy == 0.0 || wx == 0.0) discard;
  // The shares' texture is packed: its shape counts elements, two per texel each way.
  int columns = roiDySharesTexShape[1] / 2;
  ${share}
}
`;
}

/**
 * The dy shares (run as a PackedRoIProgram, four channels to a texel, in
 * the texture's row-major order): 'avg' entry (k, ph, pw) * ⌈C/4⌉ + t holds
 * dy[k, ph, pw, 4t .. 4t + 3] / count; 'max' texels 2 e and 2 e + 1 of
 * entry e hold those of dy (not divided) and of the winners. Channels past
 * the last are 0, their winners -1 (no sample). Read once per entry here,
 * where every fragment of the scatter would read them again.
 * winnersInPlace: the winners are read in tfjs's packed layout as the winner
 * pass leaves them (bound as they are, with dy bound flat as it is), instead
 * of unpacked by a pass of their own on every call.
 */
export function roiScatterSharesShader(mode: RoIAlignMode, winnersInPlace = false): string {
  // Channels c .. c + 3 (c % 4 == 0) of bin's winners.
  const winnerQuad = winnersInPlace ? `
vec4 roiWinnerQuad(int bin, int c) {
  int pw = bin % roiPooledSize.y;
  int t = ((bin / roiPooledSize.y) * ((roiPooledSize.y + 1) / 2) + pw / 2) * ((roiXDims.w + 1) / 2) + c / 2;
  int width = (roiWinnersTexShape[1] + 1) / 2;
  int row = t / width;
  ivec2 at = ivec2(t - row * width, row);
  vec4 first = texelFetch(roiWinners, at, 0);
  vec4 second = c + 2 < roiXDims.w ?
      texelFetch(roiWinners, at.x + 1 < width ? ivec2(at.x + 1, row) : ivec2(0, row + 1), 0) : vec4(-1.0);
  // A packed texel holds columns pw, pw + 1 of channels c, c + 1: (pw c, pw c+1, pw+1 c, pw+1 c+1).
  vec4 v = (pw & 1) == 0 ? vec4(first.xy, second.xy) : vec4(first.zw, second.zw);
  return mix(vec4(-1.0), v, lessThan(ivec4(c) + ivec4(0, 1, 2, 3), ivec4(roiXDims.w)));
}
` : `
vec4 roiWinnerQuad(int bin, int c) {
  vec4 v = vec4(-1.0);
  for (int j = 0; j < 4; j++) {
    if (c + j < roiXDims.w) v[j] = readRoiWinners(bin * roiXDims.w + c + j);
  }
  return v;
}
`;
  const body = mode === 'max' ? `
  int entry = index / 2;
  int bin = entry / texels;
  int c = 4 * (entry - bin * texels);
  if (index - 2 * entry == 1) {
    setOutput(roiWinnerQuad(bin, c));
    return;
  }
  vec4 v = vec4(0.0);
  for (int j = 0; j < 4; j++) {
    if (c + j < roiXDims.w) v[j] = readRoiDy(bin * roiXDims.w + c + j);
  }
  setOutput(v);
` : `
  int bin = index / texels;
  int c = 4 * (index - bin * texels);
  float count = float(roiSamplingRatio * roiSamplingRatio);
  vec4 dy = vec4(0.0);
  for (int j = 0; j < 4; j++) {
    if (c + j < roiXDims.w) dy[j] = readRoiDy(bin * roiXDims.w + c + j);
  }
  setOutput(dy / count);
`;
  return `${PACKED_OUTPUT_INDEX_GLSL}
${flatReader('roiDy')}
${mode === 'max' && !winnersInPlace ? flatReader('roiWinners') : ''}
${mode === 'max' ? winnerQuad : ''}
void main() {
  int index = roiOutputTexel();
  int texels = (roiXDims.w + 3) / 4;
  ${body}
}
`;
}

/**
 * dx [N, H, W, C] in tfjs's packed layout (run as a PackedRoIProgram) from
 * the scatter's target (input roiScatter, read in place: see the layout
 * above): texel (n, h, w / 2, c / 2) holds columns w, w + 1 of channels
 * c, c + 1, which lie in one texel of the target for each column.
 */
export function roiUnscatterShader(): string {
  return `${PACKED_OUTPUT_INDEX_GLSL}
${PACKED_X_BLOCK_GLSL}
void main() {
  int imageRow, w, c;
  if (!roiPackedXBlock(imageRow, w, c)) {
    setOutput(vec4(0.0));
    return;
  }
  int W = roiXDims.z;
  int quad = c / 4;
  int slab = quad / roiSlabQuads;
  int q = quad - slab * roiSlabQuads;
  int tileRow = q / roiTileSide;
  int row = (slab * roiXDims.x * roiXDims.y + imageRow) * roiTileSide + tileRow;
  int column = w * roiTileSide + q - tileRow * roiTileSide;
  vec4 left = texelFetch(roiScatter, ivec2(column, row), 0);
  vec4 right = w + 1 < W ? texelFetch(roiScatter, ivec2(column + roiTileSide, row), 0) : vec4(0.0);
  // Channels c, c + 1 are the first or the second half of their texel.
  setOutput((c & 2) == 0 ? vec4(left.xy, right.xy) : vec4(left.zw, right.zw));
}
`;
}
