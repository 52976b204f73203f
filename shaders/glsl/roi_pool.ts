/**
 * The RoIPool programs' shaders: the forward max of each bin (or, for the
 * gradient, the pixel holding it) and dx as a gather. Both find bins
 * through ROI_POOL_GEOMETRY_GLSL.
 */
import {BIN_OUTPUT_START, BOX_GLSL, EXACT_ARITHMETIC_GLSL, flatPairReader, flatReader, OUTPUT_INDEX_GLSL} from './roi_common';
import {cullInputs, dxGatherMain} from './roi_cull';
import {ROI_POOL_BIN_MAX_GLSL, ROI_POOL_GEOMETRY_GLSL} from './roi_pool_geometry';

/**
 * 'max' gives y; 'winner' gives the pixel holding each max as h * W + w in
 * its image (-1 for an empty bin), for the gradient.
 */
export type RoIPoolReduce = 'max'|'winner';

/** What every RoIPool shader starts with; readsX when it reads feature values. */
function poolPrelude(inputs: string[], readsX: boolean): string {
  return [
    ...inputs.map(flatReader), OUTPUT_INDEX_GLSL, BOX_GLSL, EXACT_ARITHMETIC_GLSL,
    ROI_POOL_GEOMETRY_GLSL, readsX ? ROI_POOL_BIN_MAX_GLSL : ''
  ].join('\n');
}

/** [K, outH, outW, C]. Inputs: roiX, roiBoxTable. */
export function roiPoolForwardShader(reduce: RoIPoolReduce): string {
  const output = reduce === 'max' ? 'best.value' :
                                    'best.h < 0 ? -1.0 : float(best.h * roiXDims.z + best.w)';
  return `${poolPrelude(['roiX', 'roiBoxTable'], true)}
void main() {
  ${BIN_OUTPUT_START}
  RoIBox box = roiReadBox(k);
  if (box.batch < 0) {
    setOutput(${reduce === 'max' ? '0.0' : '-1.0'});
    return;
  }
  RoIPoolAxis ay = roiPoolAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
  RoIPoolAxis ax = roiPoolAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
  int imageBase = box.batch * roiXDims.y * roiXDims.z * roiXDims.w;
  RoIPoolWinner best = roiPoolBinMax(imageBase, roiPoolBin(ay, ph), roiPoolBin(ax, pw), c);
  setOutput(${output});
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
