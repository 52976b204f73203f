/**
 * RoIPool: the forward max over each bin's pixels (optionally emitting the
 * winning pixel), and its gradient w.r.t. x as a gather over the bins that
 * hold each pixel.
 */
import {GatherLayout, gatherLanesMainWgsl, gatherMainWgsl, lanesReadWgsl} from './gather';
import {ROI_POOL_GEOMETRY_WGSL} from './geometry';

/** What a RoIPool forward program writes per output element. */
export type RoIPoolOutput = 'value'|'winner';

/**
 * Forward user code: x, boxes, boxIndices -> [K,outH,outW,C], the max (or
 * with 'winner', the pixel h * W + w that holds it, -1 for none). torchvision
 * starts a non-empty bin at -FLT_MAX and keeps the first pixel in row-major
 * order on ties (strict >); an empty bin gives 0.
 */
export function roiPoolWgsl(output: RoIPoolOutput): string {
  const write = output === 'value' ? 'setOutputAtIndex(index, best);' : 'setOutputAtIndexI32(index, winner);';
  return `
${ROI_POOL_GEOMETRY_WGSL}

fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  // (k, ph, pw, c)
  let coords = roiCoords(index, vec4<i32>(uniforms.numBoxes, uniforms.pooledHeight, uniforms.pooledWidth, uniforms.channels));
  var best = 0.0;
  var winner = -1;
  let box = roiReadBox(coords.x);
  if (box.readable) {
    let rows = roiPoolBin(roiPoolAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height), coords.y);
    let cols = roiPoolBin(roiPoolAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width), coords.z);
    if (rows.y > rows.x && cols.y > cols.x) {
      best = bitcast<f32>(0xff7fffffu);  // -FLT_MAX, exactly
      for (var h = rows.x; h < rows.y; h++) {
        for (var w = cols.x; w < cols.y; w++) {
          let v = x[roiPixelOffset(box.batch, h, w) + coords.w];
          if (v > best) {
            best = v;
            winner = h * uniforms.width + w;
          }
        }
      }
    }
  }
  ${write}
}
`;
}

/**
 * Gradient user code: dy, boxes, boxIndices, reach, tileBoxes, winner -> dx
 * [N,H,W,C], a gather (see gather.ts) in `layout` (the block layout in
 * blocks of `block` channels): each pixel takes dy of every bin, of the
 * boxes of its image, that it won, bin by bin in order.
 */
export function roiPoolGradWgsl(layout: GatherLayout, block: number): string {
  const vec4 = layout === 'lanes4';
  // Lanes add +0.0 where the pixel did not win: total, which starts at +0.0
  // and so is never -0.0, stays the same bit for bit.
  const add = layout === 'block' ? `
        for (var j = 0; j < GATHER_CHANNELS; j++) {
          if (c0 + j < uniforms.channels && winner[bin + j] == pixel) {
            total[j] += dy[bin + j];
          }
        }` :
                                   `
        total += select(vec4<f32>(0.0), ${lanesReadWgsl('dy', 'bin', vec4)},
                        ${lanesReadWgsl('winner', 'bin', vec4, 'i32')} == vec4<i32>(pixel));`;
  const body = `
    let pixel = h * uniforms.width + w;
    let box = roiReadBox(k);
    let rows = roiPoolBinsHolding(roiPoolAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height), h);
    let cols = roiPoolBinsHolding(roiPoolAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width), w);
    for (var ph = rows.x; ph <= rows.y; ph++) {
      for (var pw = cols.x; pw <= cols.y; pw++) {
        let bin = ((k * uniforms.pooledHeight + ph) * uniforms.pooledWidth + pw) * uniforms.channels + c0;${add}
      }
    }`;
  return `
${ROI_POOL_GEOMETRY_WGSL}
${layout === 'block' ? gatherMainWgsl(body, false, block) : gatherLanesMainWgsl(body, vec4, false)}
`;
}
