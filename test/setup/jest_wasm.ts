// jest project 'wasm': the suite on @tensorflow/tfjs-backend-wasm in Node.
// Runs as a setupFilesAfterEnv file, so that beforeAll can start the
// backend (its WebAssembly compiles asynchronously) before any test.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

// Not IS_TEST, as the cpu project sets: its per-kernel leak check trips on
// tfjs-backend-wasm's own FusedConv2D under a gradient tape (layers.spec),
// which is none of this package's doing. The suite checks leaks itself.

globalThis.__ROI_TEST_BACKENDS__ = ['wasm'];

// A wasm backend that cannot start fails every test file here, with the
// reason, rather than leaving tfjs on the cpu backend unnoticed.
beforeAll(async () => {
  const ok = await tf.setBackend('wasm');
  if (!ok || tf.getBackend() !== 'wasm') {
    throw new Error(`the wasm backend did not start (setBackend returned ${ok}; tf.getBackend() says '${tf.getBackend()}')`);
  }
});
