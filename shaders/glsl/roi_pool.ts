/**
 * The RoIPool programs' shaders: the forward max of each bin (or, for the
 * gradient, the pixel holding it) and dx as a gather. Both find bins
 * through ROI_POOL_GEOMETRY_GLSL.
 */
import {BIN_OUTPUT_START, BOX_GLSL, channelMapGlsl, EXACT_ARITHMETIC_GLSL, flatPairReader, flatReader, OUTPUT_INDEX_GLSL, PACKED_BIN_BLOCK_GLSL, PACKED_OUTPUT_INDEX_GLSL, packedBlockBoxStart} from './roi_common';
import {cullInputs, dxGatherMain} from './roi_cull';
import {ROI_POOL_BIN_MAX_GLSL, ROI_POOL_GEOMETRY_GLSL} from './roi_pool_geometry';

/** What every RoIPool shader starts with; readsX when it reads feature values. */
function poolPrelude(inputs: string[], readsX: boolean): string {
  return [
    ...inputs.map(flatReader), readsX ? flatPairReader('roiX') : '', OUTPUT_INDEX_GLSL, BOX_GLSL,
    EXACT_ARITHMETIC_GLSL, ROI_POOL_GEOMETRY_GLSL, readsX ? ROI_POOL_BIN_MAX_GLSL : ''
  ].join('\n');
}

/**
 * The winning pixel of each bin, h * W + w in its image (-1 for an empty
 * bin or a box that reads nothing), for the gradient: [K, outH, outW, C].
 * Inputs: roiX, roiBoxTable.
 */
export function roiPoolWinnerShader(): string {
  return `${poolPrelude(['roiX', 'roiBoxTable'], true)}
void main() {
  ${BIN_OUTPUT_START}
  RoIBox box = roiReadBox(k);
  if (box.batch < 0) {
    setOutput(-1.0);
    return;
  }
  RoIPoolAxis ay = roiPoolAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
  RoIPoolAxis ax = roiPoolAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
  int imageBase = box.batch * roiXDims.y * roiXDims.z * roiXDims.w;
  setOutput(float(roiPoolBinMax(imageBase, roiPoolBin(ay, ph), roiPoolBin(ax, pw), c, false).pixel.x));
}
`;
}

/**
 * y [K, outH, outW, C] in tfjs's packed layout: one fragment per 2 x 2
 * block of (pw, c) (PACKED_BIN_BLOCK_GLSL), the box's axes and the bins'
 * rows shared by the four outputs, x read two channels at a time.
 * Inputs: roiX, roiBoxTable.
 */
export function roiPoolPackedForwardShader(): string {
  return `${poolPrelude(['roiX', 'roiBoxTable'], true)}
${channelMapGlsl(false)}
${PACKED_OUTPUT_INDEX_GLSL}
${PACKED_BIN_BLOCK_GLSL}
void main() {
${packedBlockBoxStart('RoIBox', 'roiReadBox(k)')}  bool secondChannel = c + 1 < roiXDims.w;
  RoIPoolAxis ay = roiPoolAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
  RoIPoolAxis ax = roiPoolAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
  int imageBase = box.batch * roiXDims.y * roiXDims.z * roiXDims.w;
  ivec2 rows = roiPoolBin(ay, ph);
  vec2 first = roiPoolBinMax(imageBase, rows, roiPoolBin(ax, pw), c, secondChannel).value;
  vec2 second = pw + 1 < roiPooledSize.y ?
      roiPoolBinMax(imageBase, rows, roiPoolBin(ax, pw + 1), c, secondChannel).value : vec2(0.0);
  setOutput(vec4(first, second));
}
`;
}

/**
 * dx [N, H, W, C] as a gather (dxGatherMain), in tfjs's packed layout: in
 * each box it visits the bins that may hold pixel (h, w) or (h, w + 1)
 * (each column only its own candidates), and takes dy of each bin whose
 * winner in channel c or c + 1 is that pixel. The box's axes serve all four
 * elements, and winners and dy are read two channels at a time. Inputs:
 * roiDy, roiWinners, roiBoxTable, then cullInputs(accumulate).
 */
export function roiPoolGradShader(accumulate: boolean): string {
  const perBox = `
    ivec2 binRows = roiPoolCandidates(roiPoolAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y), h);
    RoIPoolAxis ax = roiPoolAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
    ivec2 binCols0 = near.x ? roiPoolCandidates(ax, w) : ivec2(1, 0);
    ivec2 binCols1 = near.y ? roiPoolCandidates(ax, w + 1) : ivec2(1, 0);
    ivec2 binCols = roiRangeUnion(binCols0, binCols1);
    float pixel0 = float(h * roiXDims.z + w), pixel1 = float(h * roiXDims.z + w + 1);
    for (int ph = binRows.x; ph <= binRows.y; ph++) {
      for (int pw = binCols.x; pw <= binCols.y; pw++) {
        int dyIndex = ((k * roiPooledSize.x + ph) * roiPooledSize.y + pw) * C + c;
        // A winner lies in its bin, so matching it is the membership test.
        vec2 winners = readRoiWinnersPair(dyIndex, secondChannel);
        bvec4 takes = bvec4(
            roiInRange(pw, binCols0) && winners.x == pixel0, secondChannel && roiInRange(pw, binCols0) && winners.y == pixel0,
            roiInRange(pw, binCols1) && winners.x == pixel1, secondChannel && roiInRange(pw, binCols1) && winners.y == pixel1);
        if (!any(takes)) continue;
        vec2 g = readRoiDyPair(dyIndex, secondChannel);
        if (takes.x) total.x += g.x;
        if (takes.y) total.y += g.y;
        if (takes.z) total.z += g.x;
        if (takes.w) total.w += g.y;
      }
    }
`;
  return `${poolPrelude(['roiDy', 'roiWinners', 'roiBoxTable', ...cullInputs(accumulate)], false)}
${flatPairReader('roiDy')}
${flatPairReader('roiWinners')}
${dxGatherMain('roiPoolMayTouch', perBox, accumulate)}`;
}
