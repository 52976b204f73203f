// npm run example:train: bundles examples/shapes/node.ts (the package and
// tfjs from source) with esbuild and runs it in this Node.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const dir = mkdtempSync(join(tmpdir(), 'tfjs-roi-shapes-'));
const outfile = join(dir, 'train.cjs');
try {
  await esbuild.build({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), 'node.ts')],
    bundle: true, platform: 'node', format: 'cjs', target: 'node18', outfile, logLevel: 'warning',
  });
  const run = spawnSync(process.execPath, [outfile, ...process.argv.slice(2)], {stdio: 'inherit'});
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, {recursive: true, force: true});
}
