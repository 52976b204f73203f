/**
 * Run in a child process by test/node/hostile_process.test.ts (bundled by
 * esbuild; `node hostile_child.cjs <backend>`): the cases of
 * test/hostile_cases.ts, one after another. Before each it prints
 * `start <name>`, after it one JSON line {name, ms, error}, so that a case
 * that hangs or kills the process is named by the last line.
 */
import * as tf from '@tensorflow/tfjs';

import {hostileCases, prepareHostileCases} from '../hostile_cases';

async function main(): Promise<void> {
  const backend = process.argv[2];
  if (backend === 'webgpu') {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require(process.env.ROI_NODE_WEBGPU as string).installNodeWebGPU();
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require('@tensorflow/tfjs-backend-webgpu');
    tf.env().set('WEBGPU_CPU_FORWARD', false);
  }
  tf.env().set('IS_TEST', true);
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`backend ${backend} did not start`);
  prepareHostileCases();
  for (const [name, run] of hostileCases) {
    console.log(`start ${name}`);
    const t0 = Date.now();
    let error: string|null = null;
    try {
      await run();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    console.log(JSON.stringify({name, ms: Date.now() - t0, error}));
  }
  console.log('done');
  process.exit(0);
}

main().catch(e => {
  console.error(e);
  process.exit(2);
});
