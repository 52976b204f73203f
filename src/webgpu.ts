/**
 * tfjs-roi/webgpu: the whole API, registering the webgpu backend's kernels only.
 * The layers register when first made; to load a saved model before making
 * one, call registerRoILayers() (the root entry and tfjs-roi/layers do it).
 */
import {webgpuKernels} from '../kernels/webgpu';
import {registerKernelConfigs} from './register_kernels';

registerKernelConfigs(webgpuKernels);

export * from './api';
