import type {KernelConfig} from '@tensorflow/tfjs-core';

import {roiAlignConfig} from './RoIAlign';
import {roiAlignBoxGradConfig} from './RoIAlignBoxGrad';
import {roiAlignGradConfig} from './RoIAlignGrad';
import {roiAlignWinnersConfig} from './RoIAlignWinners';
import {roiPoolConfig} from './RoIPool';
import {roiPoolGradConfig} from './RoIPoolGrad';
import {psRoiAlignConfig} from './PsRoIAlign';
import {psRoiAlignBoxGradConfig} from './PsRoIAlignBoxGrad';
import {psRoiAlignGradConfig} from './PsRoIAlignGrad';
import {psRoiPoolConfig} from './PsRoIPool';
import {psRoiPoolGradConfig} from './PsRoIPoolGrad';
import {roiAlignRotatedConfig} from './RoIAlignRotated';
import {roiAlignRotatedBoxGradConfig} from './RoIAlignRotatedBoxGrad';
import {roiAlignRotatedGradConfig} from './RoIAlignRotatedGrad';
import {multiScaleRoiAlignConfig} from './MultiScaleRoIAlign';
import {multiScaleRoiAlignBoxGradConfig} from './MultiScaleRoIAlignBoxGrad';
import {multiScaleRoiAlignGradConfig} from './MultiScaleRoIAlignGrad';
import {multiScaleRoiAlignWinnersConfig} from './MultiScaleRoIAlignWinners';

/** The webgpu backend's kernels. */
export const webgpuKernels: KernelConfig[] = [
  roiAlignConfig, roiAlignGradConfig, roiAlignBoxGradConfig, roiAlignWinnersConfig, roiPoolConfig,
  roiPoolGradConfig,
  psRoiAlignConfig, psRoiAlignGradConfig, psRoiAlignBoxGradConfig, psRoiPoolConfig,
  psRoiPoolGradConfig,
  roiAlignRotatedConfig, roiAlignRotatedGradConfig, roiAlignRotatedBoxGradConfig,
  multiScaleRoiAlignConfig, multiScaleRoiAlignGradConfig, multiScaleRoiAlignBoxGradConfig,
  multiScaleRoiAlignWinnersConfig,
];
