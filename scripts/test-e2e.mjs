/**
 * The end-to-end tests: test/e2e/*.e2e.mjs drive the pages of site/ in
 * headless Chromium (puppeteer-core) with node:test. Screenshots go to
 * test-artifacts/. Pass file names to run only those.
 */
import {spawnSync} from 'node:child_process';
import {readdirSync} from 'node:fs';
import {join} from 'node:path';

import {ROOT} from './site_server.mjs';

const dir = join(ROOT, 'test', 'e2e');
const chosen = process.argv.slice(2);
const files = chosen.length > 0 ? chosen :
    readdirSync(dir).filter(f => f.endsWith('.e2e.mjs')).sort().map(f => join(dir, f));
if (files.length === 0) {
  console.error(`no e2e tests found in ${dir}`);
  process.exit(1);
}
// One file at a time: each drives a software GPU that needs both cores.
const result = spawnSync(process.execPath,
    ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {stdio: 'inherit', cwd: ROOT});
process.exit(result.status ?? 1);
