/**
 * dx as a scatter with additive blending: one quad per sample of each bin
 * of each box, covering the 2x2 pixels of its corners, whose fragments add
 * their corner's share of dy into a float render target. Blending is
 * deterministic where a gather of atomics would not be: GL blends the
 * fragments of one pixel in primitive order, and the quads are drawn in
 * the order (box, bin, sample), so every dx element sums its terms in one
 * fixed order and the result is bit-identical run to run. The work is one
 * vertex per quad corner and one fragment per (sample, corner, channel):
 * it follows the samples, not the map's area times the boxes.
 *
 * The target is an R32F texture of [slabs * N * H, W * slabChannels]:
 * channels are cut into slabs of slabChannels so that a row fits the
 * texture size limit, and pixel (n, h, w)'s channels of slab s lie in row
 * (s * N + n) * H + h, columns w * slabChannels onwards. Then a sample's
 * corners are a rectangle of texels (adjacent rows and adjacent runs of
 * columns). ROI_UNSCATTER_GLSL copies the target into dx's own layout.
 *
 * The vertex shader places the sample with the one GLSL geometry
 * (ROI_ALIGN_GEOMETRY_GLSL, exact divisions included); the fragment shader
 * takes its corners and weights as flat varyings and weighs them with the
 * same roiCornerWeight as the gather.
 */
import type {RoIAlignMode} from '../../src/kernel_names';

import {ROI_ALIGN_GEOMETRY_GLSL} from './roi_align_geometry';
import type {CustomUniforms} from './roi_common';
import {BOX_GLSL, EXACT_ARITHMETIC_GLSL, flatReader, OUTPUT_INDEX_GLSL, outputStart, ROI_ALIGN_UNIFORMS} from './roi_common';

/** The scatter's own uniforms, beside ROI_ALIGN_UNIFORMS. */
export const ROI_SCATTER_UNIFORMS: CustomUniforms = [
  // The first quad of this draw: a long scatter is split into draws.
  {name: 'roiFirstQuad', type: 'int'},
  // Channels per slab, and the number of slabs.
  {name: 'roiSlabChannels', type: 'int'},
  {name: 'roiSlabs', type: 'int'},
  // The target's [columns, rows] in texels.
  {name: 'roiTargetSize', type: 'vec2'},
];

/** The uniforms of the copy into dx's layout (beside ROI_POOL_UNIFORMS). */
export const ROI_UNSCATTER_UNIFORMS: CustomUniforms = [{name: 'roiSlabChannels', type: 'int'}];

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

/** The samplers of the fragment stage, by mode. */
export function alignScatterSamplers(mode: RoIAlignMode): string[] {
  return ['roiDy', ...(mode === 'max' ? ['roiWinners'] : [])];
}

/**
 * The vertex stage: vertices 6 q to 6 q + 5 are the two triangles of quad
 * roiFirstQuad + q, which is ((k * outH + ph) * outW + pw) * ratio^2 +
 * iy * ratio + ix, times the slabs plus the slab. (One draw of triangles,
 * not an instanced strip: a software rasterizer may run every instance as
 * a draw of its own.)
 * A sample outside the map, or of a box that reads nothing, gives an empty
 * quad. Needs a fixed samplingRatio (> 0): the adaptive grid's samples per
 * bin depend on the box.
 */
export function roiAlignScatterVertexShader(): string {
  return `${sharedDeclarations()}
${samplerDeclarations('roiBoxTable')}
${BOX_GLSL}
flat out ivec4 vCorners;   // low row, high row, low column, high column
flat out vec4 vWeights;    // their weights
flat out ivec4 vSample;    // dy's flat index of (k, ph, pw, 0), the sample's index in its bin, first target row, slab

void main() {
  int quad = roiFirstQuad + gl_VertexID / 6;
  // Vertex i of the quad's two triangles, as a corner (i & 1, i >> 1) of the rectangle.
  int corner = gl_VertexID % 6;
  corner = corner < 3 ? corner : (corner == 5 ? 3 : 5 - corner);
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
  RoIBox box = roiReadBox(k);
  if (box.batch < 0) return;
  RoIAlignAxis ay = roiAlignAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
  RoIAlignAxis ax = roiAlignAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
  if (ay.grid == 0 || ax.grid == 0) return;
  int iy = inBin / ratio;
  RoIAlignSample sy = roiAlignSample(ay, ph * ay.grid + iy);
  RoIAlignSample sx = roiAlignSample(ax, pw * ax.grid + inBin - iy * ratio);
  if (!sy.inside || !sx.inside) return;
  vCorners = ivec4(sy.low, sy.high, sx.low, sx.high);
  vWeights = vec4(sy.lowWeight, sy.highWeight, sx.lowWeight, sx.highWeight);
  int firstRow = (slab * roiXDims.x + box.batch) * roiXDims.y;
  vSample = ivec4(((k * roiPooledSize.x + ph) * roiPooledSize.y + pw) * roiXDims.w, inBin, firstRow, slab);
  vec2 at = vec2(corner & 1, corner >> 1);
  vec2 low = vec2(sx.low * roiSlabChannels, firstRow + sy.low);
  vec2 high = vec2((sx.high + 1) * roiSlabChannels, firstRow + sy.high + 1);
  gl_Position = vec4(mix(low, high, at) / roiTargetSize * 2.0 - 1.0, 0.0, 1.0);
}
`;
}

/**
 * The fragment stage: texel (column, row) of the quad is pixel column
 * column / slabChannels and channel slab * slabChannels + column %
 * slabChannels; it adds the sample's share of dy there, as the gather
 * (roiAlignGradShader) would: 'avg' (dy / count) * wy * wx, 'max' dy *
 * (wy * wx) where the sample is the bin's winner in that channel. A texel
 * of zero weight, or past the last channel, adds nothing.
 */
export function roiAlignScatterFragmentShader(mode: RoIAlignMode): string {
  const share = mode === 'max' ? `
  int dyIndex = vSample.x + c;
  if (int(readRoiWinners(dyIndex)) != vSample.y) discard;
  roiShare = vec4(readRoiDy(dyIndex) * (wy * wx), 0.0, 0.0, 1.0);
` : `
  float count = float(roiSamplingRatio * roiSamplingRatio);
  roiShare = vec4(readRoiDy(vSample.x + c) / count * wy * wx, 0.0, 0.0, 1.0);
`;
  return `${sharedDeclarations()}
${alignScatterSamplers(mode).map(samplerDeclarations).join('\n')}
flat in ivec4 vCorners;
flat in vec4 vWeights;
flat in ivec4 vSample;
out vec4 roiShare;

void main() {
  ivec2 texel = ivec2(gl_FragCoord.xy);
  int w = texel.x / roiSlabChannels;
  int c = vSample.w * roiSlabChannels + texel.x - w * roiSlabChannels;
  if (c >= roiXDims.w) discard;
  float wy = roiCornerWeight(RoIAlignSample(true, vCorners.x, vCorners.y, vWeights.x, vWeights.y, 0.0, 0.0),
                             texel.y - vSample.z);
  float wx = roiCornerWeight(RoIAlignSample(true, vCorners.z, vCorners.w, vWeights.z, vWeights.w, 0.0, 0.0), w);
  if (wy == 0.0 || wx == 0.0) discard;
  ${share}
}
`;
}

/**
 * dx [N, H, W, C] from the scatter's target (input roiScatter, see the
 * layout above).
 */
export function roiUnscatterShader(): string {
  return `${flatReader('roiScatter')}
${OUTPUT_INDEX_GLSL}
void main() {
  ${outputStart('roiXDims.x * roiXDims.y * roiXDims.z * roiXDims.w')}
  ivec4 at = roiUnflatten(index, roiXDims);
  int slab = at.w / roiSlabChannels;
  int row = (slab * roiXDims.x + at.x) * roiXDims.y + at.y;
  int column = at.z * roiSlabChannels + at.w - slab * roiSlabChannels;
  setOutput(readRoiScatter(row * roiXDims.z * roiSlabChannels + column));
}
`;
}
