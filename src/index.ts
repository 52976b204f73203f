/**
 * The package's root entry: registers the kernels of every backend, and the
 * layers for tf.loadLayersModel whatever the import order.
 */
import {registerRoILayersIfAvailable} from './layers';
import {registerRoIKernels} from './register';

registerRoIKernels();
registerRoILayersIfAvailable();

export * from './api';
export {kernelConfigs, registerRoIKernels} from './register';
export {genericKernelConfigs} from './generic';
