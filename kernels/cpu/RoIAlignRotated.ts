import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {RoIAlignRotated, RoIAlignRotatedAttrs, RoIInputs} from '../../src/kernel_names';
import {roiValues} from './cpu_data';
import {rotatedGeometry, sampleValue, visitRotatedBins} from './roi_align_rotated_samples';

/** y [K,outH,outW,C]: each bin's mean over its samples; outside samples add 0 but count. */
export function roiAlignRotated(args: {
  inputs: RoIInputs,
  backend: MathBackendCPU,
  attrs: RoIAlignRotatedAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes} = inputs;
  const {x: xValues, boxes: boxValues, boxIndices: indexValues} = roiValues(backend, inputs);
  const channels = x.shape[3];
  const out = new Float32Array(boxes.shape[0] * attrs.pooledHeight * attrs.pooledWidth * channels);
  const g = rotatedGeometry(x.shape, attrs);
  visitRotatedBins(
      g, channels, boxValues, indexValues, ({box, binOffset, samples}) => {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (const s of samples) {
            if (s.inside) sum += sampleValue(xValues, s, c);
          }
          out[binOffset + c] = sum / box.count;
        }
      });
  return backend.makeTensorInfo(
      [boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, channels], 'float32', out);
}

export const roiAlignRotatedConfig: KernelConfig = {
  kernelName: RoIAlignRotated,
  backendName: 'cpu',
  kernelFunc: roiAlignRotated as unknown as KernelFunc,
};
