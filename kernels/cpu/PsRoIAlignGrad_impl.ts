import type {PsRoIAlignAttrs} from '../../src/kernel_names';
import {outputArray, RoIGradImplInputs} from './roi_impl_inputs';
import {psAlignGeometry, psBinOf, psScatterWeighted} from './ps_roi_channels';
import {visitAlignBinPixels} from './roi_align_taps';

/** dx [N,H,W,C], into `out` when given: each bin spreads dy / count over its samples' corners, in its own input channel. */
export function psRoiAlignGradImpl(
    {x, xShape, dy, boxes, boxIndices}: RoIGradImplInputs, attrs: PsRoIAlignAttrs,
    out?: Float32Array): Float32Array {
  const channels = xShape[3];
  const dx = outputArray(out, x.length);
  const g = psAlignGeometry(xShape, attrs);
  visitAlignBinPixels(
      g, channels, boxes, boxIndices,
      (_box, _k, binOffset, bin) => psScatterWeighted(dx, bin, psBinOf(binOffset, channels, g), dy));
  return dx;
}
