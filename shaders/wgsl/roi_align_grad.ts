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
import {GATHER_TILE, gatherMainWgsl, REACH_FIELDS} from './gather';
import {roiAlignGeometryWgsl} from './geometry';

/** User code: dy, boxes, boxIndices, reach (and winner for 'max') -> dx [N,H,W,C]. */
export function roiAlignGradWgsl(mode: RoIAlignMode, aligned: boolean): string {
  // 'avg': every sample passes dy / count; 'max': the winner passes dy.
  const passes = mode === 'avg' ? 'c0 + j < uniforms.channels' :
                                  'c0 + j < uniforms.channels && winner[bin + j] == sampleIndex';
  // One division per sample, not per channel.
  const weight = mode === 'avg' ? 'rowWeight * colWeight / count' : 'rowWeight * colWeight';
  return `
${roiAlignGeometryWgsl(aligned)}
${gatherMainWgsl(`
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
        let bin = ((k * uniforms.pooledHeight + ph) * uniforms.pooledWidth + pw) * uniforms.channels + c0;
        let weight = ${weight};
        for (var j = 0; j < GATHER_CHANNELS; j++) {
          if (${passes}) {
            total[j] += dy[bin + j] * weight;
          }
        }
      }
    }`, true)}
`;
}

/**
 * User code of RoIAlign's line pass (see gather.ts): boxes, boxIndices,
 * reach -> tileLines [tilesY + tilesX, K] int32. Word (j, k), for a tile row
 * j < tilesY, has bit i set when a sample of box k reads row 8 j + i with a
 * weight that the gather would not skip; for j = tilesY + tile column, the
 * same for columns. Zero where the box's reach misses those pixels. Only run
 * for tiles GATHER_TILE wide.
 */
export function roiAlignTileLinesWgsl(aligned: boolean): string {
  return `
${roiAlignGeometryWgsl(aligned)}

// Bit i set when a sample of axis reads pixel first + i (first..last).
fn roiLinesRead(axis : RoIAxis, first : i32, last : i32) -> u32 {
  var lines = 0u;
  for (var p = first; p <= last; p++) {
    let samples = roiAxisTouching(axis, p);
    for (var t = samples.x; t <= samples.y; t++) {
      if (roiCornerWeight(roiAxisSample(axis, t), p) != 0.0) {
        lines |= 1u << u32(p - first);
        break;
      }
    }
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
  var lines = 0u;
  if (reach[r] >= 0) {
    let box = roiReadBox(k);
    if (line < uniforms.tilesY) {
      let first = line * ${GATHER_TILE};
      let last = min(first + ${GATHER_TILE}, uniforms.height) - 1;
      if (reach[r + 1] <= last && reach[r + 2] >= first) {
        lines = roiLinesRead(roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height), first, last);
      }
    } else {
      let first = (line - uniforms.tilesY) * ${GATHER_TILE};
      let last = min(first + ${GATHER_TILE}, uniforms.width) - 1;
      if (reach[r + 3] <= last && reach[r + 4] >= first) {
        lines = roiLinesRead(roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width), first, last);
      }
    }
  }
  setOutputAtIndexI32(index, bitcast<i32>(lines));
}
`;
}
