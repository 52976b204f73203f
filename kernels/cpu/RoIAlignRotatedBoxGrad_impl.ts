import {ROTATED_BOX_FIELDS} from '../../src/geometry';
import type {RoIAlignRotatedAttrs} from '../../src/kernel_names';
import {RoIGradImplInputs, roundedOutput} from './roi_impl_inputs';
import {slopeAlongCols, slopeAlongRows} from './RoIAlignBoxGrad_impl';
import {rotatedGeometry, visitRotatedBins} from './roi_align_rotated_samples';

/**
 * dboxes [K,5], into `out` when given: the chain rule through the sample
 * positions. Each sample's row and column move with (cx, cy, w, h, angle) as
 * geometry's dRow and dCol say, and its value with the slopes of the
 * bilinear patch it lies in.
 */
export function roiAlignRotatedBoxGradImpl(
    {x, xShape, dy, boxes, boxIndices}: RoIGradImplInputs, attrs: RoIAlignRotatedAttrs,
    out?: Float32Array): Float32Array {
  const channels = xShape[3];
  const dboxes = new Float64Array(boxIndices.length * ROTATED_BOX_FIELDS);
  const g = rotatedGeometry(xShape, attrs);
  visitRotatedBins(
      g, channels, boxes, boxIndices, ({box, k, binOffset, samples}) => {
        for (const s of samples) {
          if (!s.inside) continue;
          let alongRows = 0, alongCols = 0;
          for (let c = 0; c < channels; c++) {
            const grad = dy[binOffset + c];
            alongRows += grad * slopeAlongRows(x, s, c);
            alongCols += grad * slopeAlongCols(x, s, c);
          }
          const d = ROTATED_BOX_FIELDS * s.row;
          for (let j = 0; j < ROTATED_BOX_FIELDS; j++) {
            dboxes[ROTATED_BOX_FIELDS * k + j] +=
                (alongRows * box.dRow[d + j] + alongCols * box.dCol[d + j]) / box.count;
          }
        }
      });
  return roundedOutput(dboxes, out);
}
