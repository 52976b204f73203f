/**
 * tfjs-roi/layers: loads @tensorflow/tfjs-layers itself, so the layer
 * classes are defined and registered for tf.loadLayersModel whatever the
 * app imports first; registers every backend's kernels as the root does.
 */
import '@tensorflow/tfjs-layers';

import {registerRoILayers} from './layers';
import {registerRoIKernels} from './register';

registerRoIKernels();
registerRoILayers();

export * from './api';
export {kernelConfigs, registerRoIKernels} from './register';
