/**
 * The RoIAlignRotated programs' shaders: each bin's mean, dx as a gather, and
 * the box gradient as per-bin shares (summed by roiBoxGradBlockSumShader(5)). All
 * of them sample through ROI_ALIGN_ROTATED_GEOMETRY_GLSL and read x through
 * ROI_ALIGN_SAMPLING_GLSL (the forward two channels at a time, through
 * ROI_ALIGN_PAIR_VALUE_GLSL), as RoIAlign's do.
 */
import {ROI_ALIGN_GEOMETRY_GLSL, ROI_ALIGN_PACKED_PAIR_VALUE_GLSL, ROI_ALIGN_PAIR_VALUE_GLSL, ROI_ALIGN_ROTATED_GEOMETRY_GLSL, ROI_ALIGN_SAMPLING_GLSL} from './roi_align_geometry';
import {channelMapGlsl, CustomUniforms, EXACT_ARITHMETIC_GLSL, flatPairReader, flatReader, OUTPUT_INDEX_GLSL, PACKED_BIN_BLOCK_GLSL, PACKED_OUTPUT_INDEX_GLSL, packedBlockBoxStart, ROI_ALIGN_UNIFORMS} from './roi_common';
import {culledGatherMain, cullInputs} from './roi_cull';

/** RoIAlign's uniforms and the signed radians per unit of the boxes' angle. */
export const ROI_ALIGN_ROTATED_UNIFORMS: CustomUniforms = [
  ...ROI_ALIGN_UNIFORMS,
  {name: 'roiRadiansPerAngle', type: 'float'},
];

/** Fields of the rotated box table: image or -1, cx, cy, w, h, angle. */
export const ROTATED_BOX_TABLE_COORDINATES = 5;

function rotatedPrelude(inputs: string[], readsX: boolean): string {
  return [
    ...inputs.map(flatReader), OUTPUT_INDEX_GLSL, EXACT_ARITHMETIC_GLSL, ROI_ALIGN_GEOMETRY_GLSL,
    ROI_ALIGN_ROTATED_GEOMETRY_GLSL, readsX ? ROI_ALIGN_SAMPLING_GLSL : ''
  ].join('\n');
}

/**
 * y [K, outH, outW, C] in tfjs's packed layout: one fragment per 2 x 2 block
 * of (pw, c) (PACKED_BIN_BLOCK_GLSL), xyzw = (pw, c), (pw, c + 1),
 * (pw + 1, c), (pw + 1, c + 1). The box's frame is computed once for the
 * block and each sample's position once for both channels, whose corners
 * are read in pairs; the two bins share only the box. Each component is its
 * bin's mean in the float32 operations and order of one output per
 * fragment. Components past the last bin or channel are 0.
 * Inputs: roiX, roiBoxTable. packedX: x is read in place in tfjs's packed
 * layout (ROI_ALIGN_PACKED_PAIR_VALUE_GLSL; a program with packed inputs,
 * the box table bound as its texture is), else flat.
 */
export function roiAlignRotatedPackedForwardShader(packedX: boolean): string {
  const reader = packedX ? ROI_ALIGN_PACKED_PAIR_VALUE_GLSL : `${flatPairReader('roiX')}${ROI_ALIGN_PAIR_VALUE_GLSL}`;
  // The packed reader takes the image's index rather than its flat offset.
  const imageBase = packedX ? 'box.batch' : 'box.batch * roiXDims.y * roiXDims.z * roiXDims.w';
  return `${rotatedPrelude(packedX ? ['roiBoxTable'] : ['roiX', 'roiBoxTable'], false)}
${reader}
${PACKED_OUTPUT_INDEX_GLSL}
${channelMapGlsl(false)}
${PACKED_BIN_BLOCK_GLSL}
void main() {
${packedBlockBoxStart('RoIRotatedBox', 'roiRotatedBox(k)')}  int imageBase = ${imageBase};
  bool secondBin = pw + 1 < roiPooledSize.y, secondChannel = c + 1 < roiXDims.w;
  vec4 sum = vec4(0.0);
  for (int iy = 0; iy < box.gridH; iy++) {
    int t = ph * box.gridH + iy;
    for (int ix = 0; ix < box.gridW; ix++) {
      int u = pw * box.gridW + ix;
      RoIRotatedSample s = roiRotatedSample(box, t, u);
      sum.xy += roiAlignValuePair(imageBase, s.row, s.col, c, secondChannel);
      if (secondBin) {
        s = roiRotatedSample(box, t, u + box.gridW);
        sum.zw += roiAlignValuePair(imageBase, s.row, s.col, c, secondChannel);
      }
    }
  }
  setOutput(sum / float(max(box.gridH * box.gridW, 1)));
}
`;
}

/**
 * dx [N, H, W, C] as a gather in tfjs's packed layout (culledGatherMain):
 * in each box of the pixels' image, the samples that can have (h, w) or
 * (h, w + 1) as a corner (roiRotatedCandidates; each column only its own)
 * add dy / count times their corner weight. The box and each sample serve
 * both columns and channels, and dy is read two channels at a time.
 * Inputs: roiDy, roiBoxTable, then cullInputs(accumulate).
 */
export function roiAlignRotatedGradShader(accumulate: boolean): string {
  return `${rotatedPrelude(['roiDy', 'roiBoxTable', ...cullInputs(accumulate)], false)}
${flatPairReader('roiDy')}
${culledGatherMain(`
    RoIRotatedBox box = roiRotatedBox(k);
    ivec4 window0 = roiRotatedCandidates(box, h, w);
    ivec4 window1 = hasColumn.y ? roiRotatedCandidates(box, h, w + 1) : ivec4(1, 0, 1, 0);
    ivec2 rows = roiRangeUnion(window0.xy, window1.xy), cols = roiRangeUnion(window0.zw, window1.zw);
    float count = float(box.gridH * box.gridW);
    for (int t = rows.x; t <= rows.y; t++) {
      int dyRow = k * roiPooledSize.x + t / box.gridH;
      bvec2 inRows = bvec2(roiInRange(t, window0.xy), roiInRange(t, window1.xy));
      for (int u = cols.x; u <= cols.y; u++) {
        bvec2 inWindow = bvec2(inRows.x && roiInRange(u, window0.zw), inRows.y && roiInRange(u, window1.zw));
        if (!any(inWindow)) continue;
        RoIRotatedSample s = roiRotatedSample(box, t, u);
        float wy = roiCornerWeight(s.row, h);
        vec2 weight = vec2(inWindow.x ? wy * roiCornerWeight(s.col, w) : 0.0,
                           inWindow.y ? wy * roiCornerWeight(s.col, w + 1) : 0.0);
        if (weight == vec2(0.0)) continue;
        vec2 g = readRoiDyPair((dyRow * roiPooledSize.y + u / box.gridW) * C + c, secondChannel) / count;
        if (weight.x != 0.0) total.xy += g * weight.x;
        if (weight.y != 0.0) total.zw += g * weight.y;
      }
    }`, accumulate)}`;
}

/**
 * The box gradient's first pass: bin (ph, pw)'s share of
 * d loss / d (cx, cy, w, h, angle), the chain rule through its samples'
 * positions (see kernels/cpu/RoIAlignRotatedBoxGrad.ts), as two RGBA texels
 * per bin, (cx, cy, w, h) then (angle, 0, 0, 0): texels 2 b and 2 b + 1 of
 * bin b = (k * outH + ph) * outW + pw (see RoIAlignRotatedBoxGradProgram).
 * A fragment works out each sample's position and its channel sums once
 * for its texel's parameters; each component is summed in the order and
 * float32 operations of a scalar pass over its parameter, skipping the
 * samples that do not move it. Inputs: roiDy, roiX, roiBoxTable.
 */
export function roiAlignRotatedBoxGradShader(): string {
  return `${rotatedPrelude(['roiDy', 'roiX', 'roiBoxTable'], true)}
${PACKED_OUTPUT_INDEX_GLSL}
void main() {
  int index = roiOutputTexel();
  int bin = index / 2;
  if (bin >= roiBoxCount * roiPooledSize.x * roiPooledSize.y) {
    setOutput(vec4(0.0));
    return;
  }
  // This texel's parameters are first, ..., first + 3; those past the five read 0.
  int first = 4 * (index - 2 * bin);
  int pw = bin % roiPooledSize.y;
  int rest = bin / roiPooledSize.y;
  int k = rest / roiPooledSize.x, ph = rest - k * roiPooledSize.x;
  int C = roiXDims.w;
  int dyBase = bin * C;
  RoIRotatedBox box = roiRotatedBox(k);
  if (box.batch < 0) {
    setOutput(vec4(0.0));
    return;
  }
  int imageBase = box.batch * roiXDims.y * roiXDims.z * roiXDims.w;
  bvec4 parameter = lessThan(ivec4(first) + ivec4(0, 1, 2, 3), ivec4(${ROTATED_BOX_TABLE_COORDINATES}));
  float count = float(max(box.gridH * box.gridW, 1));
  vec4 total = vec4(0.0);
  for (int iy = 0; iy < box.gridH; iy++) {
    int t = ph * box.gridH + iy;
    for (int ix = 0; ix < box.gridW; ix++) {
      int u = pw * box.gridW + ix;
      RoIRotatedSample s = roiRotatedSample(box, t, u);
      if (!s.row.inside || !s.col.inside) continue;
      vec2 m0 = roiRotatedMove(box, s, t, u, first), m1 = roiRotatedMove(box, s, t, u, first + 1);
      vec2 m2 = roiRotatedMove(box, s, t, u, first + 2), m3 = roiRotatedMove(box, s, t, u, first + 3);
      bvec4 moves = bvec4(parameter.x && m0 != vec2(0.0), parameter.y && m1 != vec2(0.0),
                          parameter.z && m2 != vec2(0.0), parameter.w && m3 != vec2(0.0));
      if (!any(moves)) continue;
      float alongRows = 0.0, alongCols = 0.0;
      for (int ch = 0; ch < C; ch++) {
        vec4 v = roiAlignCorners(imageBase, s.row, s.col, ch);
        float g = readRoiDy(dyBase + ch);
        alongRows += g * roiSlopeAlongRows(v, s.col);
        alongCols += g * roiSlopeAlongCols(v, s.row);
      }
      vec4 share = (alongRows * vec4(m0.x, m1.x, m2.x, m3.x) + alongCols * vec4(m0.y, m1.y, m2.y, m3.y)) / count;
      // mix() with a bvec selects: a parameter the sample does not move keeps its sum as it is.
      total = mix(total, total + share, moves);
    }
  }
  setOutput(total);
}
`;
}
