/**
 * The RoIPool programs' shaders: the forward max of each bin (or, for the
 * gradient, the pixel holding it) and dx as a gather. Both find bins
 * through ROI_POOL_GEOMETRY_GLSL.
 */
import {BIN_OUTPUT_START, BOX_GLSL, EXACT_ARITHMETIC_GLSL, flatReader, OUTPUT_INDEX_GLSL} from './roi_common';
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
 * dx [N, H, W, C] as a gather (dxGatherMain): in each box it visits the bins
 * that may hold pixel (h, w), and takes dy of each bin whose winner in
 * channel c is that pixel. Inputs: roiDy, roiWinners, roiBoxTable, then
 * cullInputs(accumulate).
 */
export function roiPoolGradShader(accumulate: boolean): string {
  const perBox = `
    ivec2 binRows = roiPoolCandidates(roiPoolAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y), h);
    ivec2 binCols = roiPoolCandidates(roiPoolAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z), w);
    float pixel = float(h * roiXDims.z + w);
    for (int ph = binRows.x; ph <= binRows.y; ph++) {
      for (int pw = binCols.x; pw <= binCols.y; pw++) {
        int dyIndex = ((k * roiPooledSize.x + ph) * roiPooledSize.y + pw) * C + c;
        // A winner lies in its bin, so matching it is the membership test.
        if (readRoiWinners(dyIndex) == pixel) total += readRoiDy(dyIndex);
      }
    }
`;
  return `${poolPrelude(['roiDy', 'roiWinners', 'roiBoxTable', ...cullInputs(accumulate)], false)}
${dxGatherMain('roiPoolMayTouch', perBox, accumulate)}`;
}
