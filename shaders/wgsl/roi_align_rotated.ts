/**
 * RoIAlignRotated's webgpu programs: the forward mean per box, bin and block
 * of channels (RoIAlign's lanes), dx as a gather (see gather.ts) and the box
 * gradient's per-bin partial sums (added by boxGradSumWgsl(5)). All sample
 * through roiAlignRotatedGeometryWgsl and read x through ROI_ALIGN_READ_WGSL
 * (or its vec4 form).
 */
import {forwardLanesWgsl, RoIForwardLanes, roiLanesWgsl} from './roi_align';
import {GatherLayout, gatherLanesMainWgsl, gatherMainWgsl, lanesReadWgsl, reachWgsl} from './gather';
import {ROI_ALIGN_READ_WGSL, roiAlignRotatedGeometryWgsl} from './geometry';
import {boxGradLanesMainWgsl} from './roi_align_box_grad';

/** Parameters of a rotated box: (cx, cy, w, h, angle). */
const FIELDS = 5;

/**
 * User code of the forward program: x, boxes, boxIndices -> y [K,outH,outW,C],
 * one invocation per box, bin and block of channels (lanes, as RoIAlign's).
 */
export function roiAlignRotatedWgsl(lanes: RoIForwardLanes = 1): string {
  const forward = forwardLanesWgsl(lanes, 'uniforms.channels');
  const value = lanes === 1 ? 'f32' : 'vec4<f32>';
  return `
${roiAlignRotatedGeometryWgsl()}
${roiLanesWgsl(lanes)}

fn main(index : i32) {
  // (k, ph, pw, block of channels)
  let coords = roiCoords(index, vec4<i32>(uniforms.numBoxes, uniforms.pooledHeight, uniforms.pooledWidth,
                                          ${forward.blocks}));
  if (coords.x >= uniforms.numBoxes) {
    return;
  }${forward.laneFirst}
  let box = roiReadRotatedBox(coords.x);
  if (!box.readable) {
    ${forward.write(`${value}(0.0)`)}
    return;
  }
  let base = roiPixelOffset(box.batch, 0, 0) + ${forward.channelOffset(c => c)};
  var sum = ${value}(0.0);
  for (var iy = 0; iy < box.gridH; iy++) {
    for (var ix = 0; ix < box.gridW; ix++) {
      let s = roiRotatedSample(box, coords.y * box.gridH + iy, coords.z * box.gridW + ix);
      if (s.row.inside && s.col.inside) {
        sum += roiSampleLanes(base, s.row, s.col);
      }
    }
  }
  ${forward.write('sum / max(f32(box.gridH) * f32(box.gridW), 1.0)')}
}
`;
}

/** User code of the reach pass before the dx gather: boxes, boxIndices -> reach [K,5]. */
export function roiAlignRotatedReachWgsl(): string {
  return reachWgsl(roiAlignRotatedGeometryWgsl(), 'roiReadRotatedBox', 'roiRotatedReach');
}

/**
 * User code of the dx gather: dy, boxes, boxIndices, reach -> dx [N,H,W,C],
 * in `layout` (see gather.ts). In each box that can reach the pixel, only
 * the samples whose position can have it as a corner (roiRotatedCandidates)
 * are visited, each decided exactly by its corner weights; every one passes
 * dy / count.
 */
export function roiAlignRotatedGradWgsl(layout: GatherLayout): string {
  const add = layout === 'block' ? `
        for (var j = 0; j < GATHER_CHANNELS; j++) {
          if (c0 + j < uniforms.channels) {
            total[j] += dy[bin + j] * share;
          }
        }` :
                                   `
        total += ${lanesReadWgsl('dy', 'bin', layout === 'lanes4')} * share;`;
  const main = (body: string) =>
      layout === 'block' ? gatherMainWgsl(body) : gatherLanesMainWgsl(body, layout === 'lanes4', false);
  return `
${roiAlignRotatedGeometryWgsl()}
${main(`
    let box = roiReadRotatedBox(k);
    let window = roiRotatedCandidates(box, h, w);
    let count = max(f32(box.gridH) * f32(box.gridW), 1.0);
    for (var t = window.x; t <= window.y; t++) {
      let ph = t / box.gridH;
      for (var u = window.z; u <= window.w; u++) {
        let s = roiRotatedSample(box, t, u);
        let weight = roiCornerWeight(s.row, h) * roiCornerWeight(s.col, w);
        if (weight == 0.0) {
          continue;
        }
        let bin = ((k * uniforms.pooledHeight + ph) * uniforms.pooledWidth + u / box.gridW) * uniforms.channels + c0;
        // One division per sample, not per channel.
        let share = weight / count;${add}
      }
    }`)}
`;
}

/**
 * Pass 1 of the box gradient: x, dy, boxes, boxIndices -> partial
 * [K, outH*outW, 5], each (box, bin) summed by lanes over its channels
 * (boxGradLanesMainWgsl): over the bin's samples, the slopes of x along rows
 * and columns dotted with dy, times how the sample's row and column move
 * with each parameter.
 */
export function roiAlignRotatedBoxGradWgsl(): string {
  return `
${roiAlignRotatedGeometryWgsl()}
${ROI_ALIGN_READ_WGSL}
${boxGradLanesMainWgsl(FIELDS, 'uniforms.channels', `
    let box = roiReadRotatedBox(k);
    if (box.readable) {
      let base = roiPixelOffset(box.batch, 0, 0);
      let dyBase = boxBin * uniforms.channels;
      let count = max(f32(box.gridH) * f32(box.gridW), 1.0);
      for (var iy = 0; iy < box.gridH; iy++) {
        let t = ph * box.gridH + iy;
        for (var ix = 0; ix < box.gridW; ix++) {
          let u = pw * box.gridW + ix;
          let s = roiRotatedSample(box, t, u);
          if (!s.row.inside || !s.col.inside) {
            continue;
          }
          var alongRows = 0.0;
          var alongCols = 0.0;
          for (var c = first; c < uniforms.channels; c += step) {
            let g = dy[dyBase + c];
            let v = roiReadCorners(base + c, s.row, s.col);
            alongRows += g * roiSlopeAlongRows(v, s.col);
            alongCols += g * roiSlopeAlongCols(v, s.row);
          }
          for (var j = 0; j < ${FIELDS}; j++) {
            let shift = roiRotatedMove(box, s, t, u, j);
            grad[j] += (alongRows * shift.x + alongCols * shift.y) / count;
          }
        }
      }
    }`)}
`;
}
