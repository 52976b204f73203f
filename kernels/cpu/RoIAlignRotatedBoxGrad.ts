import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {ROTATED_BOX_FIELDS} from '../../src/geometry';
import {RoIAlignRotatedAttrs, RoIAlignRotatedBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {slopeAlongCols, slopeAlongRows} from './RoIAlignBoxGrad';
import {rotatedGeometry, visitRotatedBins} from './roi_align_rotated_samples';
import {toFloat32} from './roi_align_taps';

/**
 * dboxes [K,5]: the chain rule through the sample positions. Each sample's
 * row and column move with (cx, cy, w, h, angle) as geometry's dRow and dCol
 * say, and its value with the slopes of the bilinear patch it lies in.
 */
export function roiAlignRotatedBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes} = inputs;
  const {x: xValues, dy: dyValues, boxes: boxValues, boxIndices: indexValues} = roiGradValues(backend, inputs);
  const channels = x.shape[3];
  const dboxes = new Float64Array(boxes.shape[0] * ROTATED_BOX_FIELDS);
  const g = rotatedGeometry(x.shape, attrs);
  visitRotatedBins(
      g, channels, boxValues, indexValues, ({box, k, binOffset, samples}) => {
        for (const s of samples) {
          if (!s.inside) continue;
          let alongRows = 0, alongCols = 0;
          for (let c = 0; c < channels; c++) {
            const grad = dyValues[binOffset + c];
            alongRows += grad * slopeAlongRows(xValues, s, c);
            alongCols += grad * slopeAlongCols(xValues, s, c);
          }
          const d = ROTATED_BOX_FIELDS * s.row;
          for (let j = 0; j < ROTATED_BOX_FIELDS; j++) {
            dboxes[ROTATED_BOX_FIELDS * k + j] +=
                (alongRows * box.dRow[d + j] + alongCols * box.dCol[d + j]) / box.count;
          }
        }
      });
  return backend.makeTensorInfo(boxes.shape, 'float32', toFloat32(dboxes));
}

export const roiAlignRotatedBoxGradConfig: KernelConfig = {
  kernelName: RoIAlignRotatedBoxGrad,
  backendName: 'cpu',
  kernelFunc: roiAlignRotatedBoxGrad as unknown as KernelFunc,
};
