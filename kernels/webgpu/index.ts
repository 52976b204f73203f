import type {KernelConfig} from '@tensorflow/tfjs-core';

import {roiAlignConfig} from './RoIAlign';
import {roiAlignBoxGradConfig} from './RoIAlignBoxGrad';
import {roiAlignGradConfig} from './RoIAlignGrad';
import {roiPoolConfig} from './RoIPool';
import {roiPoolGradConfig} from './RoIPoolGrad';

/** The webgpu backend's kernels. */
export const webgpuKernels: KernelConfig[] = [
  roiAlignConfig, roiAlignGradConfig, roiAlignBoxGradConfig, roiPoolConfig,
  roiPoolGradConfig
];
