/**
 * tfjs-roi/webgl: the whole API, registering the webgl backend's kernels only.
 * The layers register when first made; to load a saved model before making
 * one, call registerRoILayers() (the root entry and tfjs-roi/layers do it).
 */
import {webglKernels} from '../kernels/webgl';
import {registerKernelConfigs} from './register_kernels';

registerKernelConfigs(webglKernels);

export * from './api';
