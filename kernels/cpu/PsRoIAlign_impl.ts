import type {PsRoIAlignAttrs} from '../../src/kernel_names';
import {outputArray, RoIImplInputs} from './roi_impl_inputs';
import {psAlignGeometry, psBinOf, psWeightedSum} from './ps_roi_channels';
import {visitAlignBinPixels} from './roi_align_taps';

/** PsRoIAlign's y [K,outH,outW,C/(outH*outW)], into `out` when given. */
export function psRoiAlignImpl(
    {x, xShape, boxes, boxIndices}: RoIImplInputs, attrs: PsRoIAlignAttrs, out?: Float32Array): Float32Array {
  const channels = xShape[3];
  const y = outputArray(out, boxIndices.length * channels);
  const g = psAlignGeometry(xShape, attrs);
  visitAlignBinPixels(
      g, channels, boxes, boxIndices,
      (_box, _k, binOffset, bin) => psWeightedSum(x, bin, psBinOf(binOffset, channels, g), y));
  return y;
}
