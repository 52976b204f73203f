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
 * The target is an RGBA32F texture of [slabs * N * H, W * slabQuads]
 * texels, four channels to a texel, so that one fragment adds a corner's
 * share to four channels at once: channels are cut into slabs of
 * slabQuads texels so that a row fits the texture size limit, and pixel
 * (n, h, w)'s channels 4 (s * slabQuads + q) to 4 (s * slabQuads + q) + 3
 * lie in row (s * N + n) * H + h, column w * slabQuads + q. Then a sample's
 * corners are a rectangle of texels (adjacent rows and adjacent runs of
 * columns). roiUnscatterShader copies the target into dx in tfjs's packed
 * layout.
 *
 * The vertex shader places the sample from the forward's sample table,
 * which the one GLSL geometry (ROI_ALIGN_GEOMETRY_GLSL, exact divisions
 * included) computes once per box and sample row or column; the fragment shader
 * takes its corners and weights as flat varyings and weighs them with the
 * same roiCornerWeight as the gather.
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
  // The target's [columns, rows] in texels.
  {name: 'roiTargetSize', type: 'vec2'},
];

/** The uniforms of the copy into dx's layout (beside ROI_POOL_UNIFORMS). */
export const ROI_UNSCATTER_UNIFORMS: CustomUniforms = [{name: 'roiSlabQuads', type: 'int'}];

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
 * a draw of its own.) The sample's corners and weights come from the
 * forward's sample table (roiSampleTableShader: each box's row and column
 * samples, computed once with the one GLSL geometry), so the six vertices
 * of a quad read two entries instead of working out the box's axes.
 * A sample outside the map, or of a box that reads nothing, gives an empty
 * quad. Needs a fixed samplingRatio (> 0): the adaptive grid's samples per
 * bin depend on the box.
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
  int batch = int(roiReadBoxField(k, 0));
  if (batch < 0) return;
  roiTableBox = k;
  int iy = inBin / ratio;
  RoIAlignSample sy = roiTableSample(ph * ratio + iy);
  RoIAlignSample sx = roiTableSample((roiPooledSize.x + pw) * ratio + inBin - iy * ratio);
  if (!sy.inside || !sx.inside) return;
  vCorners = ivec4(sy.low, sy.high, sx.low, sx.high);
  vWeights = vec4(sy.lowWeight, sy.highWeight, sx.lowWeight, sx.highWeight);
  int firstRow = (slab * roiXDims.x + batch) * roiXDims.y;
  vSample = ivec4(((k * roiPooledSize.x + ph) * roiPooledSize.y + pw) * roiXDims.w, inBin, firstRow, slab);
  vec2 at = vec2(corner & 1, corner >> 1);
  vec2 low = vec2(sx.low * roiSlabQuads, firstRow + sy.low);
  vec2 high = vec2((sx.high + 1) * roiSlabQuads, firstRow + sy.high + 1);
  gl_Position = vec4(mix(low, high, at) / roiTargetSize * 2.0 - 1.0, 0.0, 1.0);
}
`;
}

/**
 * The fragment stage: texel (column, row) of the quad is pixel column
 * column / slabQuads and channels c to c + 3, c = 4 (slab * slabQuads +
 * column % slabQuads); it adds the sample's share of dy there, per channel
 * as the gather (roiAlignGradShader) would: 'avg' (dy / count) * wy * wx,
 * 'max' dy * (wy * wx) where the sample is the bin's winner in that
 * channel. A channel past the last adds 0; a texel of zero weight, or
 * where no channel's winner is this sample, adds nothing.
 */
export function roiAlignScatterFragmentShader(mode: RoIAlignMode): string {
  const share = mode === 'max' ? `
  float weight = wy * wx;
  vec4 share = vec4(0.0);
  bool any = false;
  for (int j = 0; j < 4; j++) {
    if (j < channels && int(readRoiWinners(vSample.x + c + j)) == vSample.y) {
      share[j] = readRoiDy(vSample.x + c + j) * weight;
      any = true;
    }
  }
  if (!any) discard;
  roiShare = share;
` : `
  float count = float(roiSamplingRatio * roiSamplingRatio);
  vec4 dy = vec4(0.0);
  for (int j = 0; j < 4; j++) {
    if (j < channels) dy[j] = readRoiDy(vSample.x + c + j);
  }
  roiShare = dy / count * wy * wx;
`;
  return `${sharedDeclarations()}
${alignScatterSamplers(mode).map(samplerDeclarations).join('\n')}
flat in ivec4 vCorners;
flat in vec4 vWeights;
flat in ivec4 vSample;
out vec4 roiShare;

void main() {
  ivec2 texel = ivec2(gl_FragCoord.xy);
  int w = texel.x / roiSlabQuads;
  int c = 4 * (vSample.w * roiSlabQuads + texel.x - w * roiSlabQuads);
  int channels = min(roiXDims.w - c, 4);
  if (channels <= 0) discard;
  float wy = roiCornerWeight(RoIAlignSample(true, vCorners.x, vCorners.y, vWeights.x, vWeights.y, 0.0, 0.0),
                             texel.y - vSample.z);
  float wx = roiCornerWeight(RoIAlignSample(true, vCorners.z, vCorners.w, vWeights.z, vWeights.w, 0.0, 0.0), w);
  if (wy == 0.0 || wx == 0.0) discard;
  ${share}
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
  int row = slab * roiXDims.x * roiXDims.y + imageRow;
  int column = w * roiSlabQuads + quad - slab * roiSlabQuads;
  vec4 left = texelFetch(roiScatter, ivec2(column, row), 0);
  vec4 right = w + 1 < W ? texelFetch(roiScatter, ivec2(column + roiSlabQuads, row), 0) : vec4(0.0);
  // Channels c, c + 1 are the first or the second half of their texel.
  setOutput((c & 2) == 0 ? vec4(left.xy, right.xy) : vec4(left.zw, right.zw));
}
`;
}
