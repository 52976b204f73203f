import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import {PsRoIAlignAttrs, PsRoIAlignBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {roiGradValues} from './cpu_data';
import {psAlignGeometry, psBinOf, psPixelDots} from './ps_roi_channels';
import {addBinBoxGrad, BinDots, toFloat32, visitAlignBinPixels} from './roi_align_taps';

/** dboxes [K,4]: RoIAlign's 'avg' chain rule, with each bin's dy . x over its own channels. */
export function psRoiAlignBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendCPU,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  const {inputs, backend, attrs} = args;
  const {x, boxes} = inputs;
  const {x: xValues, dy: dyValues, boxes: boxValues, boxIndices: indexValues} = roiGradValues(backend, inputs);
  const channels = x.shape[3];
  const dboxes = new Float64Array(boxes.shape[0] * 4);
  const dots = new BinDots();
  const g = psAlignGeometry(x.shape, attrs);
  visitAlignBinPixels(
      g, channels, boxValues, indexValues, (box, k, binOffset, bin) => {
        psPixelDots(xValues, bin, psBinOf(binOffset, channels, g), dyValues, dots.reserve(bin));
        addBinBoxGrad(box, k, bin, dots.values, dboxes);
      });
  return backend.makeTensorInfo(boxes.shape, 'float32', toFloat32(dboxes));
}

export const psRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: PsRoIAlignBoxGrad,
  backendName: 'cpu',
  kernelFunc: psRoiAlignBoxGrad as unknown as KernelFunc,
};
