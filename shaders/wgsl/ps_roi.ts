/**
 * The position-sensitive programs' own WGSL: psRoiAlign's and psRoiPool's dx
 * gathers and psRoiPool's forward mean. (psRoiAlign's forward and box
 * gradient are RoIAlign's 'avg' programs with channelMapWgsl(true).)
 *
 * In a gather, each input channel c feeds one bin of each box, (ph, pw) =
 * the bin c % (outH * outW) names, through output channel c / (outH * outW).
 */
import {GatherLayout, gatherLanesMainWgsl, gatherMainWgsl} from './gather';
import {channelMapWgsl, PS_ROI_POOL_GEOMETRY_WGSL, ROI_POOL_GEOMETRY_WGSL, roiAlignGeometryWgsl} from './geometry';

/**
 * A gather (see gather.ts) in `layout` whose body runs over the invocation's
 * channels (a block, or a lane's 4): `perBox` once per box k, `perChannel`
 * once per channel c0 + j with the bin ph, pw it feeds and dyIndex, the
 * element of dy it takes, in scope, adding to total[j]. The lanes read dy a
 * float at a time, as a lane's channels feed different bins.
 */
function psGatherWgsl(perBox: string, perChannel: string, layout: GatherLayout): string {
  const body = `
    let box = roiReadBox(k);
    let bins = uniforms.pooledHeight * uniforms.pooledWidth;
    ${perBox}
    for (var j = 0; j < ${layout === 'block' ? 'GATHER_CHANNELS' : '4'}; j++) {
      let c = c0 + j;
      if (c >= uniforms.channels) {
        break;
      }
      let inBox = c % bins;
      let ph = inBox / uniforms.pooledWidth;
      let pw = inBox - ph * uniforms.pooledWidth;
      let dyIndex = ((k * uniforms.pooledHeight + ph) * uniforms.pooledWidth + pw) * roiOutChannels() + c / bins;
      ${perChannel}
    }`;
  return layout === 'block' ? gatherMainWgsl(body) : gatherLanesMainWgsl(body, layout === 'lanes4', false);
}

/**
 * psRoiAlign's dx: dy / count times the weight the bin's samples give the
 * pixel, which is separable into a row and a column weight (psBinWeight).
 * User code: dy, boxes, boxIndices, reach -> dx [N,H,W,C].
 */
export function psRoiAlignGradWgsl(layout: GatherLayout): string {
  return `
${roiAlignGeometryWgsl(true)}
${channelMapWgsl(true)}

// The summed corner weight that bin b's samples along axis give pixel p;
// near is roiAxisTouching(axis, p).
fn psBinWeight(axis : RoIAxis, near : vec2<i32>, b : i32, p : i32) -> f32 {
  var weight = 0.0;
  for (var t = max(near.x, b * axis.grid); t <= min(near.y, b * axis.grid + axis.grid - 1); t++) {
    weight += roiCornerWeight(roiAxisSample(axis, t), p);
  }
  return weight;
}
${psGatherWgsl(`
    let yAxis = roiAlignAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height);
    let xAxis = roiAlignAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width);
    let rows = roiAxisTouching(yAxis, h);
    let cols = roiAxisTouching(xAxis, w);
    let count = max(f32(yAxis.grid) * f32(xAxis.grid), 1.0);`, `
      let rowWeight = psBinWeight(yAxis, rows, ph, h);
      if (rowWeight == 0.0) {
        continue;
      }
      total[j] += dy[dyIndex] / count * rowWeight * psBinWeight(xAxis, cols, pw, w);`, layout)}
`;
}

const PS_POOL_PRELUDE = `
${ROI_POOL_GEOMETRY_WGSL}
${PS_ROI_POOL_GEOMETRY_WGSL}
${channelMapWgsl(true)}
`;

/**
 * psRoiPool forward: x, boxes, boxIndices -> [K,outH,outW,Cout], the mean of
 * each bin's pixels in its input channel; 0 for an empty bin.
 */
export const PS_ROI_POOL_WGSL = `
${PS_POOL_PRELUDE}

fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  // (k, ph, pw, c)
  let coords = roiCoords(index, vec4<i32>(uniforms.numBoxes, uniforms.pooledHeight, uniforms.pooledWidth, roiOutChannels()));
  var mean = 0.0;
  let box = roiReadBox(coords.x);
  if (box.readable) {
    let rows = roiPoolBin(psRoiPoolAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height), coords.y);
    let cols = roiPoolBin(psRoiPoolAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width), coords.z);
    if (rows.y > rows.x && cols.y > cols.x) {
      let channel = roiInputChannel(coords.w, coords.y, coords.z);
      var sum = 0.0;
      for (var h = rows.x; h < rows.y; h++) {
        for (var w = cols.x; w < cols.y; w++) {
          sum += x[roiPixelOffset(box.batch, h, w) + channel];
        }
      }
      mean = sum / f32((rows.y - rows.x) * (cols.y - cols.x));
    }
  }
  setOutputAtIndex(index, mean);
}
`;

/**
 * psRoiPool's dx: each pixel takes dy / area from every bin, of the boxes of
 * its image, that averaged it. User code: dy, boxes, boxIndices, reach -> dx,
 * in `layout`.
 */
export function psRoiPoolGradWgsl(layout: GatherLayout): string {
  return `
${PS_POOL_PRELUDE}
${psGatherWgsl(`
    let yAxis = psRoiPoolAxis(box.y1, box.y2, uniforms.pooledHeight, uniforms.height);
    let xAxis = psRoiPoolAxis(box.x1, box.x2, uniforms.pooledWidth, uniforms.width);`, `
      let rows = roiPoolBin(yAxis, ph);
      let cols = roiPoolBin(xAxis, pw);
      if (h >= rows.x && h < rows.y && w >= cols.x && w < cols.y) {
        total[j] += dy[dyIndex] / f32((rows.y - rows.x) * (cols.y - cols.x));
      }`, layout)}
`;
}
