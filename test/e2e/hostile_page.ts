/**
 * The page script of test/e2e/hostile.e2e.mjs (bundled by esbuild with
 * tfjs): window.hostile runs the cases of test/hostile_cases.ts one at a
 * time on a backend, so that the test can give each a time limit and name
 * the one that hangs the page or the GPU.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';

import {hostileCases, prepareHostileCases} from '../hostile_cases';

declare global {
  interface Window {
    hostile: {
      names: string[];
      start(backend: string): Promise<void>;
      run(name: string): Promise<{ms: number, error: string|null}>;
    };
  }
}

window.hostile = {
  names: hostileCases.map(([name]) => name),
  async start(backend: string) {
    tf.env().set('WEBGL_CPU_FORWARD', false);
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`backend ${backend} did not start`);
    prepareHostileCases();
  },
  async run(name: string) {
    const found = hostileCases.find(([n]) => n === name);
    if (found === undefined) throw new Error(`no case ${name}`);
    const t0 = performance.now();
    try {
      await found[1]();
      return {ms: performance.now() - t0, error: null};
    } catch (e) {
      return {ms: performance.now() - t0, error: e instanceof Error ? e.message : String(e)};
    }
  },
};
