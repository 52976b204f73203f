/**
 * RoIAlign's gradient w.r.t. x, as a gather (see gather.ts): each invocation
 * sums what every sample touching its pixel passes back. For each box of the
 * pixel's image it asks the shared geometry which samples along each axis
 * can touch the pixel (roiAxisTouching: a short range found by inverting the
 * sample positions, not a scan), then checks each exactly. 'avg' passes
 * dy / count to every sample; 'max' only to the winner that the forward
 * program recorded in `winner`.
 */
import type {RoIAlignMode} from '../../src/kernel_names';
import {GATHER_TILE, gatherLanesMainWgsl, gatherMainWgsl, LINE_OVERFLOW, LINE_REGION_WORDS, LINE_SAMPLES, REACH_FIELDS} from './gather';
import {roiAlignGeometryWgsl} from './geometry';

/**
 * How RoIAlign's dx gather spreads channels over invocations: a block of
 * `block` channels per invocation (gatherChannelBlock), or the lanes gather
 * (gatherLanesMainWgsl), 4 channels per invocation. Where `vec4` (C % 4 ==
 * 0) dy and the winners are bound as vec4s (and the lanes' dx too).
 */
export type RoIAlignGradChannels = {lanes: false, block: number, vec4: boolean}|{lanes: true, vec4: boolean};

/**
 * User code: dy, boxes, boxIndices, reach (and winner for 'max') -> dx
 * [N,H,W,C], its channels spread as `channels` says.
 */
export function roiAlignGradWgsl(mode: RoIAlignMode, aligned: boolean, channels: RoIAlignGradChannels): string {
  // One division per sample, not per channel.
  const weight = mode === 'avg' ? 'rowWeight * colWeight / count' : 'rowWeight * colWeight';
  const bin = 'let bin = ((k * uniforms.pooledHeight + ph) * uniforms.pooledWidth + pw) * uniforms.channels + c0;';
  // Sample (ty, tx) of bin (ph, pw), numbered sampleIndex within it as the
  // forward program numbers them, adds its share to total: per channel the
  // same float32 product and sum in every layout. 'avg': every sample passes
  // dy / count; 'max': the winner passes dy.
  let accumulate: string;
  if (!channels.lanes && channels.vec4) {
    // One load, compare and add per 4 channels instead of per channel (on
    // SwiftShader every load is bounds-checked lane by lane). Per channel the
    // same float32 product and sum as one channel at a time; 'max' adds +0.0
    // where a channel's sample did not win, as the lanes gather does.
    const add = mode === 'avg' ?
        'total[j] += dy[bin / 4 + j] * weight;' :
        'total[j] += select(vec4<f32>(0.0), dy[bin / 4 + j] * weight, winner[bin / 4 + j] == vec4<i32>(sampleIndex));';
    accumulate = `
            ${bin}
            let weight = ${weight};
            for (var j = 0; j < GATHER_CHANNELS / 4; j++) {
              if (c0 + 4 * j < uniforms.channels) {
                ${add}
              }
            }`;
  } else if (!channels.lanes) {
    const passes = mode === 'avg' ? 'c0 + j < uniforms.channels' :
                                    'c0 + j < uniforms.channels && winner[bin + j] == sampleIndex';
    accumulate = `
            ${bin}
            let weight = ${weight};
            for (var j = 0; j < GATHER_CHANNELS; j++) {
              if (${passes}) {
                total[j] += dy[bin + j] * weight;
              }
            }`;
  } else {
    const read = (name: string, type: string) => channels.vec4 ? `${name}[bin / 4]` :
        `vec4<${type}>(${name}[bin], ${name}[bin + laneOffsets.y], ${name}[bin + laneOffsets.z], ${name}[bin + laneOffsets.w])`;
    // 'max' adds +0.0 where a lane's sample did not win: total stays the
    // same (it starts at +0.0, so it is never -0.0).
    const add = mode === 'avg' ? `total += ${read('dy', 'f32')} * weight;` :
                                 `total += select(vec4<f32>(0.0), ${read('dy', 'f32')} * weight, ${
                                     read('winner', 'i32')} == vec4<i32>(sampleIndex));`;
    accumulate = `
            ${bin}
            let weight = ${weight};
            ${add}`;
  }
  const main = channels.lanes ? (body: string) => gatherLanesMainWgsl(body, channels.vec4) :
                                (body: string) => gatherMainWgsl(body, true, channels.block, channels.vec4);
  return `
const LINE_SAMPLES : i32 = ${LINE_SAMPLES};
const LINE_OVERFLOW : i32 = ${LINE_OVERFLOW};
const LINE_REGION_WORDS : i32 = ${LINE_REGION_WORDS};
${roiAlignGeometryWgsl(aligned)}
${main(`
    // The line table (uniforms.lineMasks == 2) lists, for the pixel's row and
    // column, the samples of box k that read them with their weights, as the
    // line pass worked them out with the same geometry: in sample order, so
    // the sums are the same bit for bit as from the geometry below.
    var listed = false;
    if (uniforms.lineMasks == 2) {
      let table = (uniforms.tilesY + uniforms.tilesX) * uniforms.numBoxes;
      let rowRegion = table + (rowLines + k) * LINE_REGION_WORDS;
      let colRegion = table + (columnLines + k) * LINE_REGION_WORDS;
      let rowCount = i32((bitcast<u32>(tileLines[rowRegion + 1]) >> (4u * u32(h % GATHER_TILE))) & 15u);
      let colCount = i32((bitcast<u32>(tileLines[colRegion + 1]) >> (4u * u32(w % GATHER_TILE))) & 15u);
      if (rowCount != LINE_OVERFLOW && colCount != LINE_OVERFLOW) {
        listed = true;
        let gridY = tileLines[rowRegion];
        let gridX = tileLines[colRegion];
        ${mode === 'avg' ? 'let count = max(f32(gridY) * f32(gridX), 1.0);' : ''}
        let rowEntries = rowRegion + 2 + (h % GATHER_TILE) * (2 * LINE_SAMPLES);
        let colEntries = colRegion + 2 + (w % GATHER_TILE) * (2 * LINE_SAMPLES);
        for (var a = 0; a < rowCount; a++) {
          let ty = tileLines[rowEntries + 2 * a];
          let rowWeight = bitcast<f32>(tileLines[rowEntries + 2 * a + 1]);
          let ph = ty / gridY;
          for (var b = 0; b < colCount; b++) {
            let tx = tileLines[colEntries + 2 * b];
            let colWeight = bitcast<f32>(tileLines[colEntries + 2 * b + 1]);
            let pw = tx / gridX;
            let sampleIndex = (ty - ph * gridY) * gridX + (tx - pw * gridX);
            ${accumulate}
          }
        }
      }
    }
    if (!listed) {
      let box = roiReadBox(k);
      let yAxis = roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height);
      let rows = roiAxisTouching(yAxis, h);
      let xAxis = roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width);
      let cols = roiAxisTouching(xAxis, w);
      ${mode === 'avg' ? 'let count = max(f32(yAxis.grid) * f32(xAxis.grid), 1.0);' : ''}
      for (var ty = rows.x; ty <= rows.y; ty++) {
        let rowWeight = roiCornerWeight(roiAxisSample(yAxis, ty), h);
        if (rowWeight == 0.0) {
          continue;
        }
        let ph = ty / yAxis.grid;
        for (var tx = cols.x; tx <= cols.y; tx++) {
          let colWeight = roiCornerWeight(roiAxisSample(xAxis, tx), w);
          if (colWeight == 0.0) {
            continue;
          }
          let pw = tx / xAxis.grid;
          // As the forward program numbers the samples of a bin.
          let sampleIndex = (ty - ph * yAxis.grid) * xAxis.grid + (tx - pw * xAxis.grid);
          ${accumulate}
        }
      }
    }`)}
`;
}

/**
 * User code of RoIAlign's line pass (see gather.ts): boxes, boxIndices,
 * reach -> tileLines [tilesY + tilesX, K] int32. Word (j, k), for a tile row
 * j < tilesY, has bit i set when a sample of box k reads row 8 j + i with a
 * weight that the gather would not skip; for j = tilesY + tile column, the
 * same for columns. Zero where the box's reach misses those pixels. Only run
 * for tiles GATHER_TILE wide. With uniforms.lineMasks == 2 the words are
 * followed by the line table, one region of LINE_REGION_WORDS per word,
 * written where the box's reach meets the tile line (the gather reads a
 * region only where both its mask bits are set).
 */
export function roiAlignTileLinesWgsl(aligned: boolean): string {
  return `
const LINE_SAMPLES : i32 = ${LINE_SAMPLES};
const LINE_OVERFLOW : i32 = ${LINE_OVERFLOW};
const LINE_REGION_WORDS : i32 = ${LINE_REGION_WORDS};
${roiAlignGeometryWgsl(aligned)}

// Bit i set when a sample of axis reads pixel first + i (first..last). With
// region >= 0 (uniforms.lineMasks == 2) it also writes the line table's
// region: the grid, each line's count (LINE_OVERFLOW past LINE_SAMPLES) and
// its samples with their nonzero weights, in sample order. One pass over the
// samples that can touch the 8 lines, each worked out once and listed on the
// one or two lines it reads: a window and its samples per line took 2-3x
// the time (SwiftShader).
fn roiLinesRead(axis : RoIAxis, first : i32, last : i32, region : i32) -> u32 {
  var lines = 0u;
  var listed : array<i32, ${GATHER_TILE}>;
  let samples = roiAxisTouchingRange(axis, first, last);
  for (var t = samples.x; t <= samples.y; t++) {
    let sample = roiAxisSample(axis, t);
    // The sample reads its low and its high pixel, one pixel where clamped.
    for (var corner = 0; corner < 2; corner++) {
      let p = select(sample.low, sample.high, corner == 1);
      if (p < first || p > last || (corner == 1 && sample.high == sample.low)) {
        continue;
      }
      let weight = roiCornerWeight(sample, p);
      if (weight == 0.0) {
        continue;
      }
      let line = p - first;
      lines |= 1u << u32(line);
      if (region >= 0) {
        let count = listed[line];
        if (count < LINE_SAMPLES) {
          let entry = region + 2 + line * (2 * LINE_SAMPLES) + 2 * count;
          setOutputAtIndexI32(entry, t);
          setOutputAtIndexI32(entry + 1, bitcast<i32>(weight));
        }
        listed[line] = count + 1;
      }
    }
  }
  if (region >= 0) {
    var counts = 0u;
    for (var line = 0; line < ${GATHER_TILE}; line++) {
      counts |= u32(select(listed[line], LINE_OVERFLOW, listed[line] > LINE_SAMPLES)) << (4u * u32(line));
    }
    setOutputAtIndexI32(region, axis.grid);
    setOutputAtIndexI32(region + 1, bitcast<i32>(counts));
  }
  return lines;
}

fn main(index : i32) {
  if (index >= (uniforms.tilesY + uniforms.tilesX) * uniforms.numBoxes) {
    return;
  }
  let k = index % uniforms.numBoxes;
  let line = index / uniforms.numBoxes;
  let r = ${REACH_FIELDS} * k;
  let region = select(-1, (uniforms.tilesY + uniforms.tilesX) * uniforms.numBoxes + index * LINE_REGION_WORDS,
                      uniforms.lineMasks == 2);
  var lines = 0u;
  if (reach[r] >= 0) {
    let box = roiReadBox(k);
    if (line < uniforms.tilesY) {
      let first = line * ${GATHER_TILE};
      let last = min(first + ${GATHER_TILE}, uniforms.height) - 1;
      if (reach[r + 1] <= last && reach[r + 2] >= first) {
        lines = roiLinesRead(roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height), first, last, region);
      }
    } else {
      let first = (line - uniforms.tilesY) * ${GATHER_TILE};
      let last = min(first + ${GATHER_TILE}, uniforms.width) - 1;
      if (reach[r + 3] <= last && reach[r + 4] >= first) {
        lines = roiLinesRead(roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width), first, last, region);
      }
    }
  }
  setOutputAtIndexI32(index, bitcast<i32>(lines));
}
`;
}
