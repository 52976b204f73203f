/**
 * `npm run test:karma`: finds (or installs) Chromium, then runs karma once
 * with it. Extra arguments go to `karma start`.
 */
import {spawnSync} from 'node:child_process';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {ensureChromium} from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

let chrome;
try {
  chrome = ensureChromium();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
console.error(`Chromium: ${chrome}; backends: ${process.env.ROI_BACKENDS || 'cpu,wasm,webgl,webgpu'}`);

const karmaBin = createRequire(import.meta.url).resolve('karma/bin/karma');
const started = Date.now();
const result = spawnSync(
    process.execPath, [karmaBin, 'start', join(root, 'karma.conf.js'), '--single-run', ...process.argv.slice(2)],
    {cwd: root, stdio: 'inherit', env: {...process.env, CHROME_BIN: chrome}});
console.error(`karma finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (result.error) {
  console.error(`could not start karma: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
