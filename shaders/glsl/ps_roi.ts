/**
 * The position-sensitive programs' shaders (psRoiAlign, psRoiPool). They
 * sample through RoIAlign's and RoIPool's one GLSL geometry; what is theirs
 * is the channel mapping (channelMapGlsl(true)): output channel c of bin
 * (ph, pw) reads input channel (c * outH + ph) * outW + pw, so a dx
 * element's channel names the one bin it feeds. psRoiAlign's forward is
 * RoIAlign's packed forward, roiAlignPackedForwardShader('avg', 'geometry',
 * true), and its box gradient RoIAlign's roiAlignBoxGradShader('avg', true).
 *
 * psRoiAlign runs with the RoIAlign uniforms, roiAligned set to 1.
 */
import {alignPrelude} from './roi_align';
import {BOX_GLSL, channelMapGlsl, EXACT_ARITHMETIC_GLSL, flatReader, OUTPUT_INDEX_GLSL, PACKED_BIN_BLOCK_GLSL, PACKED_OUTPUT_INDEX_GLSL, packedBlockBoxStart} from './roi_common';
import {cullInputs, dxGatherMain} from './roi_cull';
import {PS_ROI_POOL_GEOMETRY_GLSL, ROI_POOL_GEOMETRY_GLSL} from './roi_pool_geometry';

/**
 * In a dx gather (dxGatherMain, its texel's channels c and c + 1 in scope):
 * for channel c + j, j = 0 or 1 (skipping c + 1 past C), the bin (ph, pw)
 * that it feeds and the dy index of that bin's output channel in box k. It
 * opens the loop over j; the body after it closes it.
 */
const PS_GATHER_BIN = `
    for (int j = 0; j < 2; j++) {
      if (j == 1 && !secondChannel) break;
      int bins = roiPooledSize.x * roiPooledSize.y;
      int inBox = (c + j) % bins;
      int ph = inBox / roiPooledSize.y, pw = inBox % roiPooledSize.y;
      int dyIndex = ((k * roiPooledSize.x + ph) * roiPooledSize.y + pw) * roiOutChannels() + (c + j) / bins;
`;

/**
 * dx [N, H, W, C] as a gather in tfjs's packed layout (dxGatherMain): pixel
 * (h, w) of channel c takes, from each box, dy of the one bin reading c
 * times the weight that bin's samples give the pixel, which is separable:
 * (row weights) x (column weights) / count. The box's axes serve all four
 * elements. Inputs: roiDy, roiBoxTable, then cullInputs(accumulate, touch).
 */
export function psRoiAlignGradShader(accumulate: boolean, touch: boolean): string {
  const perBox = `
    RoIAlignAxis ay = roiAlignAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
    RoIAlignAxis ax = roiAlignAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
    ${PS_GATHER_BIN}
      float wy = psBinCornerWeight(ay, ph, h);
      if (wy == 0.0) continue;
      float g = readRoiDy(dyIndex) / float(max(ay.grid * ax.grid, 1));
      for (int i = 0; i < 2; i++) {
        if (!near[i]) continue;
        float wx = psBinCornerWeight(ax, pw, w + i);
        if (wx != 0.0) total[2 * i + j] += g * wy * wx;
      }
    }
`;
  return `${alignPrelude(['roiDy', 'roiBoxTable', ...cullInputs(accumulate, touch)], false)}
${channelMapGlsl(true)}
// The summed weight that bin b's samples along axis a give pixel index.
float psBinCornerWeight(RoIAlignAxis a, int b, int index) {
  if (a.grid == 0) return 0.0;
  ivec2 near = roiAlignCandidates(a, index);
  float weight = 0.0;
  for (int t = max(near.x, b * a.grid); t <= min(near.y, b * a.grid + a.grid - 1); t++) {
    weight += roiCornerWeight(roiAlignSample(a, t), index);
  }
  return weight;
}
${dxGatherMain('roiAlignMayTouch', perBox, accumulate, touch)}`;
}

/** What every psRoiPool shader starts with. */
function psPoolPrelude(inputs: string[]): string {
  return [
    ...inputs.map(flatReader), OUTPUT_INDEX_GLSL, BOX_GLSL, EXACT_ARITHMETIC_GLSL,
    ROI_POOL_GEOMETRY_GLSL, PS_ROI_POOL_GEOMETRY_GLSL, channelMapGlsl(true)
  ].join('\n');
}

/**
 * y [K, outH, outW, Cout] in tfjs's packed layout: one fragment per 2 x 2
 * block of (pw, c) (PACKED_BIN_BLOCK_GLSL), the box's axes and the bins'
 * rows shared by the four outputs; each output sums its own input channel,
 * in the order and float32 operations of one output per fragment.
 * Inputs: roiX, roiBoxTable.
 */
export function psRoiPoolForwardShader(): string {
  return `${psPoolPrelude(['roiX', 'roiBoxTable'])}
${PACKED_OUTPUT_INDEX_GLSL}
${PACKED_BIN_BLOCK_GLSL}
// The means of bins (ph, pw) and (ph, pw + 1) (rows x cols0, rows x cols1;
// cols1 empty past the last bin) in output channels c and, if both, c + 1,
// as tfjs's packed texel; 0 for an empty bin and for c + 1 unless both.
// Each component sums its own input channel over its bin in a loop of its
// own, in row-major order: on SwiftShader, sweeping two channels (outH * outW
// apart) in one loop took 1.2-1.4x the time of one output per fragment at
// Cout = 21, and separate loops 0.8x.
vec4 psRoiPoolBlockMean(int imageBase, ivec2 rows, ivec2 cols0, ivec2 cols1, int ph, int pw, int c, bool both) {
  vec4 sum = vec4(0.0);
  for (int j = 0; j < 4; j++) {
    if ((j & 1) == 1 && !both) continue;
    ivec2 cols = j < 2 ? cols0 : cols1;
    int channel = roiInputChannel(c + (j & 1), ph, pw + j / 2);
    float total = 0.0;
    for (int h = rows.x; h < rows.y; h++) {
      int rowBase = imageBase + h * roiXDims.z * roiXDims.w + channel;
      for (int w = cols.x; w < cols.y; w++) total += readRoiX(rowBase + w * roiXDims.w);
    }
    sum[j] = total;
  }
  bool emptyRows = rows.y <= rows.x;
  vec2 first = emptyRows || cols0.y <= cols0.x ? vec2(0.0) : sum.xy / float((rows.y - rows.x) * (cols0.y - cols0.x));
  vec2 second = emptyRows || cols1.y <= cols1.x ? vec2(0.0) : sum.zw / float((rows.y - rows.x) * (cols1.y - cols1.x));
  return vec4(first, second);
}

void main() {
${packedBlockBoxStart('RoIBox', 'roiReadBox(k)')}  bool secondChannel = c + 1 < roiOutChannels();
  RoIPoolAxis ay = psRoiPoolAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
  RoIPoolAxis ax = psRoiPoolAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
  int imageBase = box.batch * roiXDims.y * roiXDims.z * roiXDims.w;
  ivec2 cols1 = pw + 1 < roiPooledSize.y ? roiPoolBin(ax, pw + 1) : ivec2(0);
  setOutput(psRoiPoolBlockMean(imageBase, roiPoolBin(ay, ph), roiPoolBin(ax, pw), cols1, ph, pw, c, secondChannel));
}
`;
}

/**
 * dx [N, H, W, C] as a gather in tfjs's packed layout (dxGatherMain): pixel
 * (h, w) of channel c takes dy / area from each box whose bin for c holds
 * it. The box's axes serve all four elements. Inputs: roiDy, roiBoxTable,
 * then cullInputs(accumulate).
 */
export function psRoiPoolGradShader(accumulate: boolean): string {
  const perBox = `
    RoIPoolAxis ay = psRoiPoolAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
    RoIPoolAxis ax = psRoiPoolAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
    ${PS_GATHER_BIN}
      ivec2 rows = roiPoolBin(ay, ph);
      if (h < rows.x || h >= rows.y) continue;
      ivec2 cols = roiPoolBin(ax, pw);
      for (int i = 0; i < 2; i++) {
        if (!near[i] || w + i < cols.x || w + i >= cols.y) continue;
        total[2 * i + j] += readRoiDy(dyIndex) / float((rows.y - rows.x) * (cols.y - cols.x));
      }
    }
`;
  return `${psPoolPrelude(['roiDy', 'roiBoxTable', ...cullInputs(accumulate)])}
${dxGatherMain('roiPoolMayTouch', perBox, accumulate)}`;
}
