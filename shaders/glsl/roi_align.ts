/**
 * The RoIAlign programs' shaders: the forward reduction of each bin (mean,
 * max, or for the gradients the max's sample), dx as a gather, and the box
 * gradient (per-bin shares, then one sum per box). All of them sample
 * through ROI_ALIGN_GEOMETRY_GLSL.
 */
import type {RoIAlignMode} from '../../src/kernel_names';

import {blockReductionGlsl, blockValueGlsl, PAIRED_TABLE_LAYOUT_GLSL, PAIRED_TABLE_SAMPLES_GLSL, ROI_ALIGN_BIN_MEAN_GLSL, ROI_ALIGN_BLOCK_SAMPLES_GLSL, ROI_ALIGN_GEOMETRY_GLSL, ROI_ALIGN_PACKED_PAIR_VALUE_GLSL, ROI_ALIGN_PAIRED_TABLE_GLSL, ROI_ALIGN_PAIR_VALUE_GLSL, ROI_ALIGN_SAMPLING_GLSL, ROI_ALIGN_TABLE_ENTRY_GLSL, ROI_ALIGN_TABLE_SAMPLES_GLSL} from './roi_align_geometry';
import {BIN_OUTPUT_START, BOX_GLSL, channelMapGlsl, EXACT_ARITHMETIC_GLSL, FLAT_CURSOR_GLSL, flatCursor, flatPairReader, flatReader, OUTPUT_INDEX_GLSL, outputStart, PACKED_BIN_BLOCK_GLSL, PACKED_BLOCK_START_GLSL, PACKED_OUTPUT_INDEX_GLSL} from './roi_common';
import {cullInputs, dxGatherMain} from './roi_cull';

/**
 * How the forward program reduces a bin's samples: 'avg' and 'max' give y;
 * 'winner' gives, for the gradients, the index in its bin of the sample that
 * 'max' picks (-1 where it passes no gradient: an empty bin, or a sample
 * outside the map), so that they need not search again.
 */
export type RoIAlignReduce = RoIAlignMode|'winner';

/** What every RoIAlign shader starts with; readsX when it reads feature values. */
export function alignPrelude(inputs: string[], readsX: boolean): string {
  return [
    ...inputs.map(flatReader), OUTPUT_INDEX_GLSL, BOX_GLSL, EXACT_ARITHMETIC_GLSL,
    ROI_ALIGN_GEOMETRY_GLSL, readsX ? ROI_ALIGN_SAMPLING_GLSL : '', readsX ? ROI_ALIGN_BIN_MEAN_GLSL : ''
  ].join('\n');
}

/** Box k and its two axes; an unreadable box outputs `nothing`. */
export function readBoxAxes(nothing: string): string {
  return `
  RoIBox box = roiReadBox(k);
  if (box.batch < 0) {
    setOutput(${nothing});
    return;
  }
  RoIAlignAxis ay = roiAlignAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
  RoIAlignAxis ax = roiAlignAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
  int imageBase = box.batch * roiXDims.y * roiXDims.z * roiXDims.w;
`;
}

/** [K, outH, outW, C]. Inputs: roiX, roiBoxTable. */
export function roiAlignForwardShader(reduce: RoIAlignReduce): string {
  const reductions: Record<RoIAlignReduce, string> = {
    avg: `
  setOutput(roiAlignBinMean(imageBase, ay, ax, ph, pw, c));
`,
    max: `
  setOutput(roiAlignBinMax(imageBase, ay, ax, ph, pw, c).value);
`,
    winner: `
  RoIAlignWinner best = roiAlignBinMax(imageBase, ay, ax, ph, pw, c);
  // As every backend's RoIAlignWinners: an outside winner is -1 too.
  bool passes = best.row >= 0 && roiAlignSample(ay, best.row).inside && roiAlignSample(ax, best.col).inside;
  setOutput(passes ? float((best.row - ph * ay.grid) * ax.grid + best.col - pw * ax.grid) : -1.0);
`,
  };
  return `${alignPrelude(['roiX', 'roiBoxTable'], true)}
void main() {
  ${BIN_OUTPUT_START}
  ${readBoxAxes(reduce === 'winner' ? '-1.0' : '0.0')}
  ${reductions[reduce]}
}
`;
}

/**
 * Where the packed forward gets its samples and x: 'geometry' computes the
 * samples (any samplingRatio) and reads x unpacked; 'table' reads the
 * samples from the sample table (samplingRatio > 0) and x unpacked;
 * 'packed' reads the paired sample table (roiPairedSampleTableShader) and x
 * in tfjs's packed layout, in place (a program with packed inputs).
 */
export type RoIAlignForwardSource = 'geometry'|'table'|'packed';

/**
 * The largest samplingRatio whose 'packed' forward is unrolled
 * (blockReductionGlsl): its code grows with ratio^2.
 */
export const MAX_UNROLLED_SAMPLING_RATIO = 4;

/**
 * y [K, outH, outW, C] for 'avg' and 'max' (or, for 'winner', the index of
 * each bin's 'max' sample: RoIAlignWinners) in tfjs's packed layout: one
 * texel per 2 x 2 block of (pw, c), the blocks of each (k, ph) row-major
 * (blockReductionGlsl), so that each fragment reads its box and its
 * samples once for four outputs. Inputs: roiAlignPackedForwardInputs(source).
 * positionSensitive: psRoiAlign's y [K, outH, outW, C / (outH * outW)], each
 * output channel reading its own input channel (blockValueGlsl), from
 * unpacked x only (source 'geometry' or 'table').
 * unrolledRatio: for source 'packed', the samplingRatio the reduction is
 * unrolled for (up to MAX_UNROLLED_SAMPLING_RATIO), or 0 to loop.
 */
export function roiAlignPackedForwardShader(
    mode: RoIAlignReduce, source: RoIAlignForwardSource, positionSensitive = false, unrolledRatio = 0): string {
  if (positionSensitive && source === 'packed') throw new Error('the position-sensitive forward reads x unpacked');
  if (unrolledRatio !== 0 && (source !== 'packed' || !(unrolledRatio <= MAX_UNROLLED_SAMPLING_RATIO))) {
    throw new Error(`only the 'packed' forward unrolls, up to samplingRatio ${MAX_UNROLLED_SAMPLING_RATIO}`);
  }
  const reduce = {avg: 'roiAlignBlockMean', max: 'roiAlignBlockMax', winner: 'roiAlignBlockWinner'}[mode];
  // What an unreadable box gives: 0, or no winner.
  const nothing = mode === 'winner' ? 'vec4(-1.0)' : 'vec4(0.0)';
  // From a table, the axes give only their grid: samplingRatio.
  const tableAxes = `
  roiTableBox = k;
  RoIAlignAxis ay, ax;
  ay.grid = roiSamplingRatio;
  ax.grid = roiSamplingRatio;
`;
  const starts: Record<RoIAlignForwardSource, string> = {
    geometry: readBoxAxes(nothing),
    table: `
  int batch = int(roiReadBoxField(k, 0));
  if (batch < 0) {
    setOutput(${nothing});
    return;
  }
  ${tableAxes}
  int imageBase = batch * roiXDims.y * roiXDims.z * roiXDims.w;
`,
    // The packed value reader takes the image's index.
    packed: `
  ${tableAxes}
  int imageBase = roiPairedImage();
  if (imageBase < 0) {
    setOutput(${nothing});
    return;
  }
`,
  };
  const prelude = source === 'packed' ?
      [flatReader('roiX'), OUTPUT_INDEX_GLSL, EXACT_ARITHMETIC_GLSL, ROI_ALIGN_GEOMETRY_GLSL, ROI_ALIGN_SAMPLING_GLSL,
       ROI_ALIGN_TABLE_ENTRY_GLSL, ROI_ALIGN_PAIRED_TABLE_GLSL, ROI_ALIGN_PACKED_PAIR_VALUE_GLSL,
       unrolledRatio === 0 ? PAIRED_TABLE_SAMPLES_GLSL : ''].join('\n') :
      [alignPrelude(roiAlignPackedForwardInputs(source), true), flatPairReader('roiX'), ROI_ALIGN_PAIR_VALUE_GLSL,
       source === 'table' ?
           `${flatPairReader('roiSampleTable')}${ROI_ALIGN_TABLE_ENTRY_GLSL}${ROI_ALIGN_TABLE_SAMPLES_GLSL}` :
           ROI_ALIGN_BLOCK_SAMPLES_GLSL].join('\n');
  return `${prelude}
${channelMapGlsl(positionSensitive)}
${blockValueGlsl(positionSensitive)}
${PACKED_OUTPUT_INDEX_GLSL}
${PACKED_BIN_BLOCK_GLSL}
${blockReductionGlsl(mode, unrolledRatio)}
void main() {
${PACKED_BLOCK_START_GLSL}  ${starts[source]}
  setOutput(${reduce}(imageBase, ay, ax, ph, pw, c, pw + 1 < roiPooledSize.y, c + 1 < roiOutChannels()));
}
`;
}

/** The inputs of the packed forward. */
export function roiAlignPackedForwardInputs(source: RoIAlignForwardSource): string[] {
  if (source === 'packed') return ['roiX', 'roiSampleTable'];
  return ['roiX', 'roiBoxTable', ...(source === 'table' ? ['roiSampleTable'] : [])];
}

/**
 * The sample table (ROI_ALIGN_TABLE_ENTRY_GLSL), for samplingRatio > 0:
 * [K, (outH + outW) * samplingRatio, 2]. Input: roiBoxTable.
 */
export function roiSampleTableShader(): string {
  return `${alignPrelude(['roiBoxTable'], false)}
${ROI_ALIGN_TABLE_ENTRY_GLSL}
void main() {
  ${outputStart('2 * roiBoxCount * roiSampleTableEntries()')}
  int entry = index / 2;
  int k = entry / roiSampleTableEntries(), t = entry - k * roiSampleTableEntries();
  RoIBox box = roiReadBox(k);
  if (box.batch < 0) {
    setOutput(0.0);
    return;
  }
  int rows = roiPooledSize.x * roiSamplingRatio;
  RoIAlignSample s;
  if (t < rows) {
    s = roiAlignSample(roiAlignAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y), t);
  } else {
    s = roiAlignSample(roiAlignAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z), t - rows);
  }
  vec2 e = roiSampleTableEntry(s);
  setOutput(index == 2 * entry ? e.x : e.y);
}
`;
}

/**
 * The paired sample table (ROI_ALIGN_PAIRED_TABLE_GLSL), for samplingRatio
 * > 0: one texel each, run with runPackedRoIProgram. Input: roiBoxTable.
 */
export function roiPairedSampleTableShader(): string {
  return `${alignPrelude(['roiBoxTable'], false)}
${ROI_ALIGN_TABLE_ENTRY_GLSL}
${PAIRED_TABLE_LAYOUT_GLSL}
${PACKED_OUTPUT_INDEX_GLSL}
// Entry s of bin b on an axis of pooled bins: outside past either.
vec2 roiPairedEntry(RoIAlignAxis a, int pooled, int b, int s) {
  if (b >= pooled || s >= roiSamplingRatio) return vec2(-1.0, 0.0);
  return roiSampleTableEntry(roiAlignSample(a, b * roiSamplingRatio + s));
}

void main() {
  int perBin = roiPairedTexelsPerBin(), perBox = roiPairedTexelsPerBox();
  int texel = roiOutputTexel();
  if (texel >= roiBoxCount * perBox) {
    setOutput(vec4(0.0));
    return;
  }
  int k = texel / perBox, j = texel - k * perBox;
  RoIBox box = roiReadBox(k);
  if (j == 0 || box.batch < 0) {
    setOutput(vec4(float(box.batch), 0.0, 0.0, 0.0));
    return;
  }
  int bin = (j - 1) / perBin, s = 2 * (j - 1 - bin * perBin);
  RoIAlignAxis a;
  int pooled, b;
  if (bin < roiPooledSize.x) {
    a = roiAlignAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
    pooled = roiPooledSize.x;
    b = bin;
  } else {
    a = roiAlignAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
    pooled = roiPooledSize.y;
    b = bin - roiPooledSize.x;
  }
  setOutput(vec4(roiPairedEntry(a, pooled, b, s), roiPairedEntry(a, pooled, b, s + 1)));
}
`;
}

/** The inputs of the gradient programs, by mode. */
export function alignGradInputs(mode: RoIAlignMode, readsX: boolean): string[] {
  const winners = mode === 'max' ? ['roiWinners'] : [];
  return ['roiDy', ...(readsX ? ['roiX'] : []), ...winners, 'roiBoxTable'];
}

/** The inputs of the dx gather: alignGradInputs(mode, false), then cullInputs(accumulate, touch). */
export function alignDxInputs(mode: RoIAlignMode, accumulate: boolean, touch: boolean): string[] {
  return [...alignGradInputs(mode, false), ...cullInputs(accumulate, touch)];
}

/**
 * dx [N, H, W, C] as a gather (dxGatherMain), in tfjs's packed layout: in
 * each culled box it visits only the samples that can have row h and
 * column w or w + 1 as corners (roiAlignCandidates; a column takes only its
 * own candidates). 'avg' adds dy / count times the corner weight of each;
 * 'max' looks at the bins those samples fall in, and adds dy times the
 * corner weight of each bin's winner. The box's axes and row samples serve
 * all four elements, a column sample both channels, and dy is read two
 * channels at a time. Inputs: alignDxInputs(mode, accumulate, touch).
 */
export function roiAlignGradShader(mode: RoIAlignMode, accumulate: boolean, touch: boolean): string {
  const gather = mode === 'max' ? `
    // The bins of the candidate samples: samples are numbered bin by bin.
    ivec2 binCols0 = cols0.x > cols0.y ? cols0 : cols0 / ax.grid;
    ivec2 binCols1 = cols1.x > cols1.y ? cols1 : cols1 / ax.grid;
    for (int ph = rows.x / ay.grid; ph <= rows.y / ay.grid; ph++) {
      for (int pw = cols.x / ax.grid; pw <= cols.y / ax.grid; pw++) {
        bvec2 inBin = bvec2(roiInRange(pw, binCols0), roiInRange(pw, binCols1));
        if (!any(inBin)) continue;
        int dyIndex = ((k * roiPooledSize.x + ph) * roiPooledSize.y + pw) * C + c;
        vec2 winners = readRoiWinnersPair(dyIndex, secondChannel);
        vec2 g = readRoiDyPair(dyIndex, secondChannel);
        for (int j = 0; j < 2; j++) {
          if (j == 1 && !secondChannel) break;
          int inBinSample = int(winners[j]);
          if (inBinSample < 0) continue;
          ivec2 winner = roiAlignWinnerSamples(ay, ax, ph, pw, inBinSample);
          float wy = roiCornerWeight(roiAlignSample(ay, winner.x), h);
          RoIAlignSample sx = roiAlignSample(ax, winner.y);
          if (inBin.x) {
            float weight = wy * roiCornerWeight(sx, w);
            if (weight != 0.0) total[j] += g[j] * weight;
          }
          if (inBin.y) {
            float weight = wy * roiCornerWeight(sx, w + 1);
            if (weight != 0.0) total[2 + j] += g[j] * weight;
          }
        }
      }
    }
` : `
    float count = float(ay.grid * ax.grid);
    for (int t = rows.x; t <= rows.y; t++) {
      float wy = roiCornerWeight(roiAlignSample(ay, t), h);
      if (wy == 0.0) continue;
      int dyRow = k * roiPooledSize.x + t / ay.grid;
      for (int u = cols.x; u <= cols.y; u++) {
        RoIAlignSample sx = roiAlignSample(ax, u);
        vec2 wx = vec2(roiInRange(u, cols0) ? roiCornerWeight(sx, w) : 0.0,
                       roiInRange(u, cols1) ? roiCornerWeight(sx, w + 1) : 0.0);
        if (wx == vec2(0.0)) continue;
        vec2 g = readRoiDyPair((dyRow * roiPooledSize.y + u / ax.grid) * C + c, secondChannel) / count;
        if (wx.x != 0.0) total.xy += g * wy * wx.x;
        if (wx.y != 0.0) total.zw += g * wy * wx.y;
      }
    }
`;
  const perBox = `
    RoIAlignAxis ay = roiAlignAxis(box.y1, box.y2, roiPooledSize.x, roiXDims.y);
    if (ay.grid == 0) continue;
    ivec2 rows = roiAlignCandidates(ay, h);
    if (rows.x > rows.y) continue;
    RoIAlignAxis ax = roiAlignAxis(box.x1, box.x2, roiPooledSize.y, roiXDims.z);
    if (ax.grid == 0) continue;
    ivec2 cols0 = near.x ? roiAlignCandidates(ax, w) : ivec2(1, 0);
    ivec2 cols1 = near.y ? roiAlignCandidates(ax, w + 1) : ivec2(1, 0);
    ivec2 cols = roiRangeUnion(cols0, cols1);
    if (cols.x > cols.y) continue;
    ${gather}
`;
  return `${alignPrelude(alignDxInputs(mode, accumulate, touch), false)}
${flatPairReader('roiDy')}
${mode === 'max' ? flatPairReader('roiWinners') : ''}
${dxGatherMain('roiAlignMayTouch', perBox, accumulate, touch)}`;
}

/**
 * The box gradient's first pass: one fragment per bin (ph, pw) of box k,
 * writing the bin's share of d loss / d (x1, y1, x2, y2) as one RGBA texel
 * (texel (k * outH + ph) * outW + pw; see RoIAlignBoxGradProgram), the chain
 * rule through its samples' positions (see kernels/cpu/RoIAlignBoxGrad.ts).
 * Rows move with y1 and y2, columns with x1 and x2; the four coordinates
 * share the geometry and each corner read. Each component is summed in the
 * order and float32 operations of a scalar pass over that coordinate.
 * Inputs: alignGradInputs(mode, true). positionSensitive: psRoiAlign's
 * (channelMapGlsl).
 */
export function roiAlignBoxGradShader(mode: RoIAlignMode, positionSensitive = false, cachedRatio = 0): string {
  // With a fixed ratio (up to MAX_UNROLLED_SAMPLING_RATIO), 'max' works out the bin's row and
  // column samples once, into named locals, instead of a winner's two samples (with their exact
  // divisions) per channel; a dynamically indexed array would live in memory on SwiftShader.
  const cachedSamples = Array.from({length: cachedRatio}, (_, i) => `
  RoIAlignSample rowSample${i} = roiAlignSample(ay, ph * ${cachedRatio} + ${i});
  RoIAlignSample colSample${i} = roiAlignSample(ax, pw * ${cachedRatio} + ${i});`).join('');
  const pick = (name: string, index: string) => Array.from({length: cachedRatio - 1}, (_, i) => `
    if (${index} == ${i + 1}) ${name === 'rowSample' ? 'sy' : 'sx'} = ${name}${i + 1};`).join('');
  const winnerSamples = cachedRatio > 0 ? `
    int iy = inBin / ${cachedRatio}, ix = inBin - iy * ${cachedRatio};
    RoIAlignSample sy = rowSample0, sx = colSample0;${pick('rowSample', 'iy')}${pick('colSample', 'ix')}` : `
    ivec2 winner = roiAlignWinnerSamples(ay, ax, ph, pw, inBin);
    RoIAlignSample sy = roiAlignSample(ay, winner.x);
    RoIAlignSample sx = roiAlignSample(ax, winner.y);`;
  // dy (and the winners) are read channel after channel, as are a sample's
  // corners in 'avg': through cursors (flatCursor), one division each per
  // sample rather than per channel.
  const reduce = mode === 'max' ? `
  RoIFlatCursor winners = roiWinnersCursor(dyBase, 1), dyAt = roiDyCursor(dyBase, 1);${cachedSamples}
  for (int c = 0; c < C; c++) {
    int inBin = int(readRoiWinnersAt(winners));
    float g = readRoiDyAt(dyAt);
    winners = roiWinnersAdvance(winners);
    dyAt = roiDyAdvance(dyAt);
    if (inBin < 0) continue;${winnerSamples}
    if (!sy.inside || !sx.inside) continue;
    vec4 v = roiAlignCorners(imageBase, sy, sx, roiInputChannel(c, ph, pw));
    vec4 slopes = roiBoxSlopes(v, sy, sx);
    total += g * slopes * roiBoxMoves(sy, sx);
  }
` : `
  float count = float(max(ay.grid * ax.grid, 1));
  int firstChannel = roiInputChannel(0, ph, pw), channelStep = roiInputChannel(1, ph, pw) - firstChannel;
  int rowStride = roiXDims.z * roiXDims.w;
  for (int iy = 0; iy < ay.grid; iy++) {
    RoIAlignSample sy = roiAlignSample(ay, ph * ay.grid + iy);
    if (!sy.inside) continue;
    for (int ix = 0; ix < ax.grid; ix++) {
      RoIAlignSample sx = roiAlignSample(ax, pw * ax.grid + ix);
      if (!sx.inside) continue;
      // roiAlignCorners' four corners, channel after channel.
      int rowLow = imageBase + sy.low * rowStride + firstChannel, rowHigh = imageBase + sy.high * rowStride + firstChannel;
      int colLow = sx.low * roiXDims.w, colHigh = sx.high * roiXDims.w;
      RoIFlatCursor x00 = roiXCursor(rowLow + colLow, channelStep), x01 = roiXCursor(rowLow + colHigh, channelStep);
      RoIFlatCursor x10 = roiXCursor(rowHigh + colLow, channelStep), x11 = roiXCursor(rowHigh + colHigh, channelStep);
      RoIFlatCursor dyAt = roiDyCursor(dyBase, 1);
      vec4 along = vec4(0.0);
      for (int c = 0; c < C; c++) {
        vec4 v = vec4(readRoiXAt(x00), readRoiXAt(x01), readRoiXAt(x10), readRoiXAt(x11));
        along += readRoiDyAt(dyAt) * roiBoxSlopes(v, sy, sx);
        x00 = roiXAdvance(x00);
        x01 = roiXAdvance(x01);
        x10 = roiXAdvance(x10);
        x11 = roiXAdvance(x11);
        dyAt = roiDyAdvance(dyAt);
      }
      total += along / count * roiBoxMoves(sy, sx);
    }
  }
`;
  const cursors = [FLAT_CURSOR_GLSL, ...alignGradInputs(mode, true).filter(name => name !== 'roiBoxTable').map(flatCursor)];
  return `${alignPrelude(alignGradInputs(mode, true), true)}
${cursors.join('')}
${channelMapGlsl(positionSensitive)}
${PACKED_OUTPUT_INDEX_GLSL}
// The slopes of the sample's value along the axis each of (x1, y1, x2, y2) moves.
vec4 roiBoxSlopes(vec4 v, RoIAlignSample sy, RoIAlignSample sx) {
  float alongCols = roiSlopeAlongCols(v, sy);
  float alongRows = roiSlopeAlongRows(v, sx);
  return vec4(alongCols, alongRows, alongCols, alongRows);
}

// How the sample's position moves with x1, y1, x2 and y2.
vec4 roiBoxMoves(RoIAlignSample sy, RoIAlignSample sx) {
  return vec4(sx.dStart, sy.dStart, sx.dEnd, sy.dEnd);
}

void main() {
  int index = roiOutputTexel();
  if (index >= roiBoxCount * roiPooledSize.x * roiPooledSize.y) {
    setOutput(vec4(0.0));
    return;
  }
  int pw = index % roiPooledSize.y;
  int rest = index / roiPooledSize.y;
  int k = rest / roiPooledSize.x, ph = rest - k * roiPooledSize.x;
  int C = roiOutChannels();
  int dyBase = index * C;
  ${readBoxAxes('vec4(0.0)')}
  vec4 total = vec4(0.0);
  ${reduce}
  setOutput(total);
}
`;
}

/**
 * The box gradient's second pass for per-bin shares written four to a
 * texel, [K, fields]: each box's sum of its bins' shares, bin by bin. Input:
 * roiPartials, the shares' texture as it is, ceil(fields / 4) texels per
 * bin (RoIAlignBoxGradProgram's one, RoIAlignRotatedBoxGradProgram's two).
 */
export function roiBoxGradBlockSumShader(fields = 4): string {
  const texelsPerBin = Math.ceil(fields / 4);
  const texel = texelsPerBin === 1 ? 'k * bins + b' : `(k * bins + b) * ${texelsPerBin} + j / 4`;
  const component = texelsPerBin === 1 ? 'j' : 'j % 4';
  return `${OUTPUT_INDEX_GLSL}
void main() {
  ${outputStart(`${fields} * roiBoxCount`)}
  int k = index / ${fields}, j = index - ${fields} * k;
  int bins = roiPooledSize.x * roiPooledSize.y;
  int width = (roiPartialsTexShape[1] + 1) / 2;
  float total = 0.0;
  for (int b = 0; b < bins; b++) {
    int texel = ${texel};
    int row = texel / width;
    total += texelFetch(roiPartials, ivec2(texel - row * width, row), 0)[${component}];
  }
  setOutput(total);
}
`;
}
