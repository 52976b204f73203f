// jest project 'cpu': the suite on tfjs's cpu backend in Node.
import * as tf from '@tensorflow/tfjs';

// Quiets the advice to install tfjs-node, printed once per worker.
tf.env().set('IS_TEST', true);

globalThis.__ROI_TEST_BACKENDS__ = ['cpu'];
