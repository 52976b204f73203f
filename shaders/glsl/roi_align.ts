/**
 * The RoIAlign programs' shaders: forward, dx (a gather), and the box
 * gradient (per-bin partial sums, then one sum per box). All of them sample
 * through ROI_ALIGN_GEOMETRY_GLSL.
 */
import type {RoIAlignMode} from '../../src/kernel_names';

import {ROI_ALIGN_GEOMETRY_GLSL, ROI_ALIGN_SAMPLING_GLSL} from './roi_align_geometry';
import {BOX_GLSL, EXACT_ARITHMETIC_GLSL, flatReader, OUTPUT_INDEX_GLSL} from './roi_common';

/** What every RoIAlign shader starts with; readsX when it reads feature values. */
function alignPrelude(inputs: string[], readsX: boolean): string {
  return [
    ...inputs.map(flatReader), OUTPUT_INDEX_GLSL, BOX_GLSL, EXACT_ARITHMETIC_GLSL,
    ROI_ALIGN_GEOMETRY_GLSL, readsX ? ROI_ALIGN_SAMPLING_GLSL : ''
  ].join('\n');
}

/** The box of output element (k, ...) and its two axes, or an early 0. */
const READ_BOX_AXES = `
  RoIBox box = roiReadBox(k);
  if (box.batch < 0) {
    setOutput(0.0);
    return;
  }
  RoIAlignAxis ay = roiAlignAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
  RoIAlignAxis ax = roiAlignAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
  int imageBase = box.batch * roiXDims.y * roiXDims.z * roiXDims.w;
`;

/** y [K, outH, outW, C]. Inputs: roiX, roiBoxTable. */
export function roiAlignForwardShader(mode: RoIAlignMode): string {
  const reduce = mode === 'max' ? `
  setOutput(roiAlignBinMax(imageBase, ay, ax, ph, pw, c).value);
` : `
  float sum = 0.0;
  for (int iy = 0; iy < ay.grid; iy++) {
    RoIAlignSample sy = roiAlignSample(ay, ph * ay.grid + iy);
    if (!sy.inside) continue;
    for (int ix = 0; ix < ax.grid; ix++) {
      sum += roiAlignValue(imageBase, sy, roiAlignSample(ax, pw * ax.grid + ix), c);
    }
  }
  setOutput(sum / float(max(ay.grid * ax.grid, 1)));
`;
  return `${alignPrelude(['roiX', 'roiBoxTable'], true)}
void main() {
  int index = roiOutputIndex();
  if (index >= outShape) {
    setOutput(0.0);
    return;
  }
  ivec4 at = roiUnflatten(index, ivec4(roiBoxCount, roiPooledSize, roiXDims.w));
  int k = at.x, ph = at.y, pw = at.z, c = at.w;
  ${READ_BOX_AXES}
  ${reduce}
}
`;
}

/**
 * dx [N, H, W, C] as a gather, since WebGL has no atomics: element
 * (n, h, w, c) visits every box of image n, and in it only the samples that
 * can have row h and column w as corners (roiAlignCandidates). 'avg' adds
 * dy / count times the corner weight; 'max' first finds the bins those
 * samples fall in, then whether each bin's winner has (h, w) as a corner.
 * Inputs: roiDy, roiBoxTable, and roiX in 'max' mode.
 */
export function roiAlignGradShader(mode: RoIAlignMode): string {
  const inputs = mode === 'max' ? ['roiDy', 'roiX', 'roiBoxTable'] :
                                  ['roiDy', 'roiBoxTable'];
  const gather = mode === 'max' ? `
    // Bins of the candidate samples: the samples are bin-major.
    for (int ph = rows.x / ay.grid; ph <= rows.y / ay.grid; ph++) {
      for (int pw = cols.x / ax.grid; pw <= cols.y / ax.grid; pw++) {
        RoIAlignWinner best = roiAlignBinMax(imageBase, ay, ax, ph, pw, c);
        if (best.row < 0) continue;
        float weight = roiCornerWeight(roiAlignSample(ay, best.row), h) *
            roiCornerWeight(roiAlignSample(ax, best.col), w);
        if (weight == 0.0) continue;
        total += readRoiDy(((k * roiPooledSize.x + ph) * roiPooledSize.y + pw) * C + c) * weight;
      }
    }
` : `
    float count = float(ay.grid * ax.grid);
    for (int t = rows.x; t <= rows.y; t++) {
      float wy = roiCornerWeight(roiAlignSample(ay, t), h);
      if (wy == 0.0) continue;
      int dyRow = k * roiPooledSize.x + t / ay.grid;
      for (int u = cols.x; u <= cols.y; u++) {
        float wx = roiCornerWeight(roiAlignSample(ax, u), w);
        if (wx == 0.0) continue;
        float g = readRoiDy((dyRow * roiPooledSize.y + u / ax.grid) * C + c) / count;
        total += g * wy * wx;
      }
    }
`;
  return `${alignPrelude(inputs, mode === 'max')}
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
    RoIAlignAxis ay = roiAlignAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
    if (ay.grid == 0) continue;
    ivec2 rows = roiAlignCandidates(ay, h);
    if (rows.x > rows.y) continue;
    RoIAlignAxis ax = roiAlignAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
    if (ax.grid == 0) continue;
    ivec2 cols = roiAlignCandidates(ax, w);
    if (cols.x > cols.y) continue;
    ${gather}
  }
  setOutput(total);
}
`;
}

/**
 * The box gradient's first pass, [K, outH, outW, 4]: bin (ph, pw)'s share of
 * d loss / d (x1, y1, x2, y2), the chain rule through its samples' positions
 * (see kernels/cpu/RoIAlignBoxGrad.ts). Rows move with y1 and y2, columns
 * with x1 and x2. Inputs: roiDy, roiX, roiBoxTable.
 */
export function roiAlignBoxGradShader(mode: RoIAlignMode): string {
  const reduce = mode === 'max' ? `
  for (int c = 0; c < C; c++) {
    RoIAlignWinner best = roiAlignBinMax(imageBase, ay, ax, ph, pw, c);
    if (best.row < 0) continue;
    RoIAlignSample sy = roiAlignSample(ay, best.row);
    RoIAlignSample sx = roiAlignSample(ax, best.col);
    if (!sy.inside || !sx.inside) continue;
    vec4 v = roiAlignCorners(imageBase, sy, sx, c);
    float g = readRoiDy(dyBase + c);
    float slope = alongRows ? roiSlopeAlongRows(v, sx) : roiSlopeAlongCols(v, sy);
    total += g * slope * roiMove(sy, sx, alongRows, atStart);
  }
` : `
  float count = float(max(ay.grid * ax.grid, 1));
  for (int iy = 0; iy < ay.grid; iy++) {
    RoIAlignSample sy = roiAlignSample(ay, ph * ay.grid + iy);
    if (!sy.inside) continue;
    for (int ix = 0; ix < ax.grid; ix++) {
      RoIAlignSample sx = roiAlignSample(ax, pw * ax.grid + ix);
      if (!sx.inside) continue;
      float along = 0.0;
      for (int c = 0; c < C; c++) {
        vec4 v = roiAlignCorners(imageBase, sy, sx, c);
        float slope = alongRows ? roiSlopeAlongRows(v, sx) : roiSlopeAlongCols(v, sy);
        along += readRoiDy(dyBase + c) * slope;
      }
      total += along / count * roiMove(sy, sx, alongRows, atStart);
    }
  }
`;
  return `${alignPrelude(['roiDy', 'roiX', 'roiBoxTable'], true)}
// How the sample's position along the chosen axis moves with the chosen corner.
float roiMove(RoIAlignSample sy, RoIAlignSample sx, bool alongRows, bool atStart) {
  if (alongRows) return atStart ? sy.dStart : sy.dEnd;
  return atStart ? sx.dStart : sx.dEnd;
}

void main() {
  int index = roiOutputIndex();
  if (index >= outShape) {
    setOutput(0.0);
    return;
  }
  ivec4 at = roiUnflatten(index, ivec4(roiBoxCount, roiPooledSize, 4));
  int k = at.x, ph = at.y, pw = at.z;
  // boxes are (x1, y1, x2, y2): odd coordinates are rows.
  bool alongRows = (at.w & 1) == 1;
  bool atStart = at.w < 2;
  int C = roiXDims.w;
  int dyBase = ((k * roiPooledSize.x + ph) * roiPooledSize.y + pw) * C;
  ${READ_BOX_AXES}
  float total = 0.0;
  ${reduce}
  setOutput(total);
}
`;
}

/**
 * The box gradient's second pass, [K, 4]: each box's sum of its bins'
 * shares. Input: roiPartials [K, bins, 4].
 */
export function roiBoxGradSumShader(): string {
  return `${flatReader('roiPartials')}
${OUTPUT_INDEX_GLSL}
void main() {
  int index = roiOutputIndex();
  if (index >= outShape) {
    setOutput(0.0);
    return;
  }
  int k = index / 4, j = index % 4;
  int bins = roiPooledSize.x * roiPooledSize.y;
  float total = 0.0;
  for (int b = 0; b < bins; b++) total += readRoiPartials((k * bins + b) * 4 + j);
  setOutput(total);
}
`;
}
