import type {KernelConfig} from '@tensorflow/tfjs-core';

/** The webgpu backend's kernels. */
export const webgpuKernels: KernelConfig[] = [];
