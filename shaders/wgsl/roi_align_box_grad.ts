/**
 * RoIAlign's gradient w.r.t. the boxes, as a fixed-order two-pass reduction
 * (deterministic, unlike float atomics): the first pass spreads each bin of
 * each box over lanes of a workgroup, lane j taking channels j, j + lanes,
 * ... (so that neighbouring lanes load neighbouring channels), each summing
 * over the bin's samples and its channels the chain rule through the sample
 * positions (see kernels/cpu/RoIAlignBoxGrad.ts); a fixed tree in workgroup
 * memory adds the lanes. The second pass adds the bins of each box in order.
 */
import type {RoIAlignMode} from '../../src/kernel_names';
import type {RoIAlignSource} from './roi_align';
import {channelMapWgsl, ROI_ALIGN_READ_WGSL, roiAlignGeometryWgsl, ROI_SAMPLE_TABLE_WGSL} from './geometry';

/**
 * Invocations per workgroup of the box gradient's first pass: RoIProgram's
 * WORKGROUP_SIZE (kernels/webgpu/roi_webgpu_util.ts), which lays out the
 * dispatch; the programs check that the two agree.
 */
export const BOX_GRAD_GROUP = 64;
const GROUP = BOX_GRAD_GROUP;

/**
 * The gradient one sample passes to (x1, y1, x2, y2), given how the loss
 * moves with its row and column position: columns follow x, rows follow y.
 */
const SAMPLE_BOX_GRAD_WGSL = `
fn roiSlopesBoxGrad(dRow : vec2<f32>, dCol : vec2<f32>, alongRows : f32, alongCols : f32) -> vec4<f32> {
  return vec4<f32>(alongCols * dCol.x, alongRows * dRow.x, alongCols * dCol.y, alongRows * dRow.y);
}

fn roiSampleBoxGrad(
    yAxis : RoIAxis, ty : i32, row : RoISample, xAxis : RoIAxis, tx : i32, col : RoISample,
    alongRows : f32, alongCols : f32) -> vec4<f32> {
  return roiSlopesBoxGrad(roiAxisSlope(yAxis, ty, row), roiAxisSlope(xAxis, tx, col), alongRows, alongCols);
}
`;

/**
 * 'avg': the bin's samples along each axis are shared by its lanes. Lane j
 * of the bin works out sample j of the bin's inside range along rows and
 * along columns (with their slopes) into workgroup memory; every lane then
 * reads them from there (samples past the lanes it works out itself), so the
 * geometry is not repeated per lane.
 */
const BIN_AVG_SHARED_WGSL = `
  var yAxis : RoIAxis;
  var xAxis : RoIAxis;
  var rows = vec2<i32>(0, -1);
  var cols = vec2<i32>(0, -1);
  var readable = false;
  var batch = 0;
  if (hasBin) {
    let k = boxBin / bins;
    let ph = (boxBin - k * bins) / uniforms.pooledWidth;
    let pw = boxBin - k * bins - ph * uniforms.pooledWidth;
    let box = roiReadBox(k);
    readable = box.readable;
    batch = box.batch;
    if (readable) {
      yAxis = roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height);
      xAxis = roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width);
      rows = roiAxisBinInside(yAxis, ph);
      cols = roiAxisBinInside(xAxis, pw);
      let ty = rows.x + laneInBin;
      let tx = cols.x + laneInBin;
      if (ty <= rows.y) {
        let row = roiAxisSample(yAxis, ty);
        roiBinSamples[lane] = row;
        roiBinSlopes[lane] = roiAxisSlope(yAxis, ty, row);
      }
      if (tx <= cols.y) {
        let col = roiAxisSample(xAxis, tx);
        roiBinSamples[${GROUP} + lane] = col;
        roiBinSlopes[${GROUP} + lane] = roiAxisSlope(xAxis, tx, col);
      }
    }
  }`;

/** 'avg' per bin, after BIN_AVG_SHARED_WGSL (whose axes and ranges it reuses). */
const BIN_AVG_PER_BIN_WGSL = `
    if (readable) {
      // dy [K,outH,outW,C] holds this bin's channels from boxBin * C on.
      let g = roiBinBoxGrad(
          yAxis, xAxis, rows, cols, ph, pw, roiPixelOffset(batch, 0, 0), boxBin * roiOutChannels(), first, step,
          lane - laneInBin);
      grad = array<f32, 4>(g.x, g.y, g.z, g.w);
    }`;

/** 'max' per bin: each channel's winner has its own sample. */
const BIN_MAX_PER_BIN_WGSL = `
    let box = roiReadBox(k);
    if (box.readable) {
      let yAxis = roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height);
      let xAxis = roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width);
      let g = roiBinBoxGrad(
          yAxis, xAxis, ph, pw, roiPixelOffset(box.batch, 0, 0), boxBin * roiOutChannels(), first, step);
      grad = array<f32, 4>(g.x, g.y, g.z, g.w);
    }`;

/**
 * 'avg': dy times the slopes of one sample's bilinear patch along its rows
 * and its columns, summed over this lane's channels (first, first + step,
 * ...) in order.
 */
const LANE_ALONG_WGSL = `
fn roiLaneAlong(row : RoISample, col : RoISample, ph : i32, pw : i32, base : i32, dyBase : i32, first : i32,
                step : i32) -> vec2<f32> {
  var alongRows = 0.0;
  var alongCols = 0.0;
  for (var c = first; c < roiOutChannels(); c += step) {
    let g = dy[dyBase + c];
    let v = roiReadCorners(base + roiInputChannel(c, ph, pw), row, col);
    alongRows += g * roiSlopeAlongRows(v, col);
    alongCols += g * roiSlopeAlongCols(v, row);
  }
  return vec2<f32>(alongRows, alongCols);
}
`;

const BIN_AVG_WGSL = `${LANE_ALONG_WGSL}
// The rows' shared samples and slopes, then (from ${GROUP} on) the columns'.
var<workgroup> roiBinSamples : array<RoISample, ${2 * GROUP}>;
var<workgroup> roiBinSlopes : array<vec2<f32>, ${2 * GROUP}>;

struct RoISampleSlope {
  sample : RoISample,
  slope : vec2<f32>,
}

// Sample t of an axis whose inside range starts at t0: the first \`step\` come
// from the shared arrays at slot, the rest are worked out here.
fn roiBinSample(axis : RoIAxis, t : i32, t0 : i32, step : i32, slot : i32) -> RoISampleSlope {
  if (t - t0 < step) {
    return RoISampleSlope(roiBinSamples[slot + t - t0], roiBinSlopes[slot + t - t0]);
  }
  let sample = roiAxisSample(axis, t);
  return RoISampleSlope(sample, roiAxisSlope(axis, t, sample));
}

// Every inside sample, weighted 1 / count, with this lane's channels summed
// first, over the samples rows x cols of the bin's inside ranges; samples
// r < lanes of each range come from the shared arrays (rows at slot + r,
// columns at ${GROUP} + slot + r).
fn roiBinBoxGrad(
    yAxis : RoIAxis, xAxis : RoIAxis, rows : vec2<i32>, cols : vec2<i32>, ph : i32, pw : i32, base : i32,
    dyBase : i32, first : i32, step : i32, slot : i32) -> vec4<f32> {
  let count = max(f32(yAxis.grid) * f32(xAxis.grid), 1.0);
  var grad = vec4<f32>(0.0);
  for (var ty = rows.x; ty <= rows.y; ty++) {
    let rowAndSlope = roiBinSample(yAxis, ty, rows.x, step, slot);
    let row = rowAndSlope.sample;
    let dRow = rowAndSlope.slope;
    if (!row.inside) {
      continue;
    }
    for (var tx = cols.x; tx <= cols.y; tx++) {
      let colAndSlope = roiBinSample(xAxis, tx, cols.x, step, ${GROUP} + slot);
      let col = colAndSlope.sample;
      let dCol = colAndSlope.slope;
      if (!col.inside) {
        continue;
      }
      let along = roiLaneAlong(row, col, ph, pw, base, dyBase, first, step);
      grad += roiSlopesBoxGrad(dRow, dCol, along.x / count, along.y / count);
    }
  }
  return grad;
}
`;

const BIN_MAX_WGSL = `
// In each of this lane's channels, the sample that won the forward max (none:
// no gradient).
fn roiBinBoxGrad(
    yAxis : RoIAxis, xAxis : RoIAxis, ph : i32, pw : i32, base : i32, dyBase : i32, first : i32,
    step : i32) -> vec4<f32> {
  var grad = vec4<f32>(0.0);
  for (var c = first; c < roiOutChannels(); c += step) {
    let won = winner[dyBase + c];
    if (won < 0) {
      continue;
    }
    let iy = won / xAxis.grid;
    let ty = ph * yAxis.grid + iy;
    let tx = pw * xAxis.grid + (won - iy * xAxis.grid);
    let row = roiAxisSample(yAxis, ty);
    let col = roiAxisSample(xAxis, tx);
    let g = dy[dyBase + c];
    let v = roiReadCorners(base + roiInputChannel(c, ph, pw), row, col);
    grad += roiSampleBoxGrad(
        yAxis, ty, row, xAxis, tx, col, g * roiSlopeAlongRows(v, col), g * roiSlopeAlongCols(v, row));
  }
  return grad;
}
`;


/**
 * Both modes' roiBinBoxGrad with a fixed samplingRatio: each sample and its
 * slopes are read from the sample table (ROI_SAMPLE_TABLE_WGSL), the same
 * values that the geometry gives, so the sums are the same, in the same
 * order. An unreadable box's samples are all outside: it adds nothing.
 */
const BIN_TABLE_WGSL: Record<RoIAlignMode, string> = {
  avg: `${LANE_ALONG_WGSL}
fn roiBinBoxGrad(k : i32, ph : i32, pw : i32, base : i32, dyBase : i32, first : i32, step : i32) -> vec4<f32> {
  let ratio = uniforms.samplingRatio;
  let count = max(f32(ratio) * f32(ratio), 1.0);
  var grad = vec4<f32>(0.0);
  for (var iy = 0; iy < ratio; iy++) {
    let ty = ph * ratio + iy;
    let row = roiTableSample(k, ty);
    if (!row.inside) {
      continue;
    }
    let dRow = roiTableSlope(k, ty);
    for (var ix = 0; ix < ratio; ix++) {
      let tx = (uniforms.pooledHeight + pw) * ratio + ix;
      let col = roiTableSample(k, tx);
      if (!col.inside) {
        continue;
      }
      let dCol = roiTableSlope(k, tx);
      let along = roiLaneAlong(row, col, ph, pw, base, dyBase, first, step);
      grad += roiSlopesBoxGrad(dRow, dCol, along.x / count, along.y / count);
    }
  }
  return grad;
}
`,
  max: `
fn roiBinBoxGrad(k : i32, ph : i32, pw : i32, base : i32, dyBase : i32, first : i32, step : i32) -> vec4<f32> {
  let ratio = uniforms.samplingRatio;
  var grad = vec4<f32>(0.0);
  for (var c = first; c < roiOutChannels(); c += step) {
    let won = winner[dyBase + c];
    if (won < 0) {
      continue;
    }
    let iy = won / ratio;
    let ty = ph * ratio + iy;
    let tx = (uniforms.pooledHeight + pw) * ratio + (won - iy * ratio);
    let row = roiTableSample(k, ty);
    let col = roiTableSample(k, tx);
    // A winner is inside; this keeps other winners from reading outside x.
    if (!row.inside || !col.inside) {
      continue;
    }
    let g = dy[dyBase + c];
    let v = roiReadCorners(base + roiInputChannel(c, ph, pw), row, col);
    grad += roiSlopesBoxGrad(
        roiTableSlope(k, ty), roiTableSlope(k, tx), g * roiSlopeAlongRows(v, col), g * roiSlopeAlongCols(v, row));
  }
  return grad;
}
`,
};

/** Both modes' per-bin step with the sample table. */
const BIN_TABLE_PER_BIN_WGSL = `
    // An unreadable box's batch is clamped but never read: it has no inside sample.
    let batch = clamp(boxIndices[k], 0, uniforms.batchSize - 1);
    let g = roiBinBoxGrad(k, ph, pw, roiPixelOffset(batch, 0, 0), boxBin * roiOutChannels(), first, step);
    grad = array<f32, 4>(g.x, g.y, g.z, g.w);`;

/**
 * Channels each lane of the first pass aims to take. Every lane still works
 * out its box's axes and reads the shared samples, and on SwiftShader (a CPU)
 * the extra lanes and barriers cost more than they save: measured there
 * (P3, 200 boxes, 7x7, C = 16 and 64), eight channels a lane made the pass
 * 3-7x the one-lane-per-bin pass, sixteen 2-5x. Sixteen floats are one
 * 64-byte run per load across the lanes of a bin on a real GPU.
 */
const CHANNELS_PER_LANE = 16;

/**
 * Lanes per (box, bin) in the first pass: outChannels / CHANNELS_PER_LANE
 * rounded up to a power of two, at most a workgroup; the workgroup holds
 * several bins when that is fewer. roiBinLanes in WGSL.
 */
export function boxGradBinLanes(outChannels: number): number {
  let lanes = 1;
  while (lanes < Math.min(Math.ceil(outChannels / CHANNELS_PER_LANE), GROUP)) lanes *= 2;
  return lanes;
}

/** Invocations of the first pass: whole workgroups of boxGradBinLanes per (box, bin). */
export function boxGradInvocations(boxBins: number, outChannels: number): number {
  const binsPerGroup = GROUP / boxGradBinLanes(outChannels);
  return Math.max(Math.ceil(boxBins / binsPerGroup), 1) * GROUP;
}

/**
 * The first pass's main(index) around `perBin`, for box parameters of
 * `fields` values: workgroups of ${GROUP} lanes, roiBinLanes() lanes per (box,
 * bin), adjacent lanes on adjacent channels (lane j takes channels j, j +
 * lanes, ...: loads of dy and x coalesce). perBin runs with k, ph, pw,
 * boxBin (= k * bins + ph * pooledWidth + pw), first (this lane's first
 * channel) and step (the lanes per bin) in scope, and adds to
 * grad : array<f32, fields>. The lanes' sums are then added by a tree of
 * fixed shape in workgroup memory, so the result is the same every run, and
 * the bin's first lane writes partial[boxBin]. Every lane reaches every
 * barrier: lanes past the last bin or channel only add zeros. `shared`, if
 * given, runs in every lane before the bins, with lane, lanes, laneInBin,
 * boxBin and hasBin in scope, and a barrier follows it: there the lanes of a
 * bin may fill workgroup memory that perBin then reads.
 */
export function boxGradLanesMainWgsl(fields: number, channels: string, perBin: string, shared = ''): string {
  return `
var<workgroup> roiLaneGrads : array<array<f32, ${fields}>, ${GROUP}>;

fn roiBinLanes() -> i32 {
  let wanted = (${channels} + ${CHANNELS_PER_LANE - 1}) / ${CHANNELS_PER_LANE};
  var lanes = 1;
  while (lanes < min(wanted, ${GROUP})) {
    lanes *= 2;
  }
  return lanes;
}

fn main(index : i32) {
  let lanes = roiBinLanes();
  let lane = index % ${GROUP};
  let laneInBin = lane % lanes;
  let boxBin = (index / ${GROUP}) * (${GROUP} / lanes) + lane / lanes;
  let bins = uniforms.pooledHeight * uniforms.pooledWidth;
  let hasBin = boxBin < uniforms.numBoxes * bins;
  var grad : array<f32, ${fields}>;${shared ? `
${shared}
  workgroupBarrier();` : ''}
  if (hasBin && laneInBin < ${channels}) {
    let k = boxBin / bins;
    let ph = (boxBin - k * bins) / uniforms.pooledWidth;
    let pw = boxBin - k * bins - ph * uniforms.pooledWidth;
    let first = laneInBin;
    let step = lanes;
${perBin}
  }
  roiLaneGrads[lane] = grad;
  workgroupBarrier();
  // lanes is a power of two: each step adds the upper half of every bin's
  // lanes onto the lower half, in the same pairs every run.
  for (var half = lanes / 2; half > 0; half /= 2) {
    if (laneInBin < half) {
      for (var j = 0; j < ${fields}; j++) {
        roiLaneGrads[lane][j] += roiLaneGrads[lane + half][j];
      }
    }
    workgroupBarrier();
  }
  if (hasBin && laneInBin == 0) {
    for (var j = 0; j < ${fields}; j++) {
      setOutputAtIndex(${fields} * boxBin + j, roiLaneGrads[lane][j]);
    }
  }
}
`;
}

/**
 * Pass 1 user code: x, dy, boxes, boxIndices (and winner for 'max') ->
 * partial [K, outH*outW, 4], a bin's channels spread over lanes
 * (boxGradLanesMainWgsl); positionSensitive: psRoiAlign's (channelMapWgsl).
 * With source 'table' (a fixed samplingRatio) the sample table takes the
 * place of boxes.
 */
export function roiAlignBoxGradWgsl(
    mode: RoIAlignMode, aligned: boolean, positionSensitive = false, source: RoIAlignSource = 'geometry'): string {
  const table = source === 'table';
  let bins: string;
  if (table) {
    bins = `${BIN_TABLE_WGSL[mode]}
${boxGradLanesMainWgsl(4, 'roiOutChannels()', BIN_TABLE_PER_BIN_WGSL)}`;
  } else {
    bins = mode === 'avg' ? `${BIN_AVG_WGSL}
${boxGradLanesMainWgsl(4, 'roiOutChannels()', BIN_AVG_PER_BIN_WGSL, BIN_AVG_SHARED_WGSL)}` : `${BIN_MAX_WGSL}
${boxGradLanesMainWgsl(4, 'roiOutChannels()', BIN_MAX_PER_BIN_WGSL)}`;
  }
  return `
${roiAlignGeometryWgsl(aligned, !table)}
${table ? ROI_SAMPLE_TABLE_WGSL : ''}
${ROI_ALIGN_READ_WGSL}
${channelMapWgsl(positionSensitive)}
${SAMPLE_BOX_GRAD_WGSL}
${bins}
`;
}

/** Uniforms of pass 2. */
export const ROI_BOX_GRAD_SUM_UNIFORMS = 'bins : i32,';

/**
 * Pass 2 user code: partial [K, bins, fields] -> dboxes [K, fields], bins
 * added in order; fields is 4 for corner boxes, 5 for rotated ones.
 */
export function boxGradSumWgsl(fields: number): string {
  return `
fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  let k = index / ${fields};
  let coordinate = index - ${fields} * k;
  let bins = uniforms.bins;
  var total = 0.0;
  for (var b = 0; b < bins; b++) {
    total += partial[(k * bins + b) * ${fields} + coordinate];
  }
  setOutputAtIndex(index, total);
}
`;
}
