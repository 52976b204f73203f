import type {KernelConfig} from '@tensorflow/tfjs-core';

/** The webgl backend's kernels. */
export const webglKernels: KernelConfig[] = [];
