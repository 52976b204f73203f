import type {PsRoIAlignAttrs} from '../../src/kernel_names';
import {RoIGradImplInputs, roundedOutput} from './roi_impl_inputs';
import {psAlignGeometry, psBinOf, psPixelDots} from './ps_roi_channels';
import {addBinBoxGrad, BinDots, visitAlignBinPixels} from './roi_align_taps';

/** dboxes [K,4], into `out` when given: RoIAlign's 'avg' chain rule, with each bin's dy . x over its own channels. */
export function psRoiAlignBoxGradImpl(
    {x, xShape, dy, boxes, boxIndices}: RoIGradImplInputs, attrs: PsRoIAlignAttrs,
    out?: Float32Array): Float32Array {
  const channels = xShape[3];
  const dboxes = new Float64Array(boxIndices.length * 4);
  const dots = new BinDots();
  const g = psAlignGeometry(xShape, attrs);
  visitAlignBinPixels(
      g, channels, boxes, boxIndices, (box, k, binOffset, bin) => {
        psPixelDots(x, bin, psBinOf(binOffset, channels, g), dy, dots.reserve(bin));
        addBinBoxGrad(box, k, bin, dots.values, dboxes);
      });
  return roundedOutput(dboxes, out);
}
