/**
 * The shapes example in Node on tfjs's cpu backend: trains the detector
 * through RoIAlign and through RoIPool and reports both.
 *   npm run example:train [-- --pool align|pool|both] [--steps N] [--json]
 * Exits 1 when a run misses the thresholds the e2e test holds the page to.
 * --json adds each run's TrainingResult as one JSON line (for the e2e test).
 */
import * as tf from '@tensorflow/tfjs';

import {PoolKind} from './model';
import {defaultTrainConfig, summarize, train} from './train';
import {passesThresholds} from './thresholds';

async function main() {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const poolArg = option('pool') ?? 'both';
  const pools: PoolKind[] = poolArg === 'both' ? ['align', 'pool'] : [poolArg as PoolKind];
  if (!pools.every(p => p === 'align' || p === 'pool')) throw new Error(`--pool ${poolArg}: expected align, pool or both`);
  const steps = option('steps');

  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
  let failed = false;
  for (const pool of pools) {
    const config = defaultTrainConfig(pool, steps === undefined ? {} : {steps: Number(steps)});
    console.log(`training through ${pool === 'align' ? 'RoIAlign' : 'RoIPool'}: ${config.steps} steps of ${config.batchSize} ` +
        `${config.data.imageSize}x${config.data.imageSize} images with ${config.data.roisPerImage} proposals each`);
    const {model, result} = await train(config, {
      onStep: r => {
        if (r.step % 25 === 0) console.log(`  step ${r.step}: loss ${r.loss.toFixed(3)} (class ${r.classLoss.toFixed(3)}, box ${r.boxLoss.toFixed(3)})`);
      },
      onEvaluation: (step, e) => console.log(`  step ${step}: held-out RoI accuracy ${(100 * e.accuracy).toFixed(1)}%`),
    });
    model.dispose();
    const verdict = passesThresholds(result);
    console.log(summarize(result));
    console.log(verdict.ok ? '  thresholds met' : `  THRESHOLDS MISSED: ${verdict.failures.join('; ')}`);
    if (args.includes('--json')) console.log(JSON.stringify(result));
    failed ||= !verdict.ok;
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
