/**
 * The RoIPool programs' shaders: forward and dx (a gather). Both find bins
 * and their winners through ROI_POOL_GEOMETRY_GLSL.
 */
import {BOX_GLSL, EXACT_ARITHMETIC_GLSL, flatReader, OUTPUT_INDEX_GLSL} from './roi_common';
import {ROI_POOL_GEOMETRY_GLSL} from './roi_pool_geometry';

function poolPrelude(inputs: string[]): string {
  return [
    ...inputs.map(flatReader), OUTPUT_INDEX_GLSL, BOX_GLSL, EXACT_ARITHMETIC_GLSL,
    ROI_POOL_GEOMETRY_GLSL
  ].join('\n');
}

/** y [K, outH, outW, C]. Inputs: roiX, roiBoxTable. */
export function roiPoolForwardShader(): string {
  return `${poolPrelude(['roiX', 'roiBoxTable'])}
void main() {
  int index = roiOutputIndex();
  if (index >= outShape) {
    setOutput(0.0);
    return;
  }
  ivec4 at = roiUnflatten(index, ivec4(roiBoxCount, roiPooledSize, roiXDims.w));
  int k = at.x, ph = at.y, pw = at.z, c = at.w;
  RoIBox box = roiReadBox(k);
  if (box.batch < 0) {
    setOutput(0.0);
    return;
  }
  RoIPoolAxis ay = roiPoolAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
  RoIPoolAxis ax = roiPoolAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
  int imageBase = box.batch * roiXDims.y * roiXDims.z * roiXDims.w;
  setOutput(roiPoolBinMax(imageBase, roiPoolBin(ay, ph), roiPoolBin(ax, pw), c).value);
}
`;
}

/**
 * dx [N, H, W, C] as a gather: element (n, h, w, c) visits every box of
 * image n, the bins that hold pixel (h, w), and takes dy of each bin whose
 * winner in channel c is that pixel. Inputs: roiDy, roiX, roiBoxTable.
 */
export function roiPoolGradShader(): string {
  return `${poolPrelude(['roiDy', 'roiX', 'roiBoxTable'])}
void main() {
  int index = roiOutputIndex();
  if (index >= outShape) {
    setOutput(0.0);
    return;
  }
  ivec4 at = roiUnflatten(index, roiXDims);
  int n = at.x, h = at.y, w = at.z, c = at.w;
  int C = roiXDims.w;
  int imageBase = n * roiXDims.y * roiXDims.z * C;
  float total = 0.0;
  for (int k = 0; k < roiBoxCount; k++) {
    RoIBox box = roiReadBox(k);
    if (box.batch != n) continue;
    RoIPoolAxis ay = roiPoolAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
    ivec2 binRows = roiPoolCandidates(ay, h);
    if (binRows.x > binRows.y) continue;
    RoIPoolAxis ax = roiPoolAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
    ivec2 binCols = roiPoolCandidates(ax, w);
    for (int ph = binRows.x; ph <= binRows.y; ph++) {
      ivec2 rows = roiPoolBin(ay, ph);
      if (h < rows.x || h >= rows.y) continue;
      for (int pw = binCols.x; pw <= binCols.y; pw++) {
        ivec2 cols = roiPoolBin(ax, pw);
        if (w < cols.x || w >= cols.y) continue;
        RoIPoolWinner best = roiPoolBinMax(imageBase, rows, cols, c);
        if (best.h == h && best.w == w) {
          total += readRoiDy(((k * roiPooledSize.x + ph) * roiPooledSize.y + pw) * C + c);
        }
      }
    }
  }
  setOutput(total);
}
`;
}
