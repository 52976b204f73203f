import type {KernelConfig, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import {psAlignAsRoIAlign, PsRoIAlignAttrs, PsRoIAlignBoxGrad, RoIGradInputs} from '../../src/kernel_names';
import {alignBoxGrad} from './RoIAlignBoxGrad';
import {boxGradTextures, requireTexturesFit, requireWebGL2} from './run_roi_program';

/** dboxes [K,4]: RoIAlign's aligned 'avg' box gradient, position-sensitive. */
export function psRoiAlignBoxGrad(args: {
  inputs: RoIGradInputs,
  backend: MathBackendWebGL,
  attrs: PsRoIAlignAttrs,
}): TensorInfo {
  requireWebGL2(PsRoIAlignBoxGrad);
  requireTexturesFit(PsRoIAlignBoxGrad, boxGradTextures(args.inputs, 4), ['box shares']);
  return alignBoxGrad(args.backend, args.inputs, psAlignAsRoIAlign(args.attrs), true);
}

export const psRoiAlignBoxGradConfig: KernelConfig = {
  kernelName: PsRoIAlignBoxGrad,
  backendName: 'webgl',
  kernelFunc: psRoiAlignBoxGrad as unknown as KernelFunc,
};
