/**
 * The inputs that hung a kernel or crashed the process (issue: hostile
 * input), each under a time limit in a child process, so that a hang fails
 * this test instead of the suite: huge sampling ratios are refused naming
 * samplingRatio and the limit, 'max' at the cap finishes, and adaptive-grid
 * boxes past the cap (1e30, Infinity, rotated w = h = 1e4 and 1e30) give 0
 * and no gradient at once. On the cpu backend, and on webgpu (Dawn) wherever
 * the webgpu jest project runs.
 */
import {spawnSync} from 'child_process';
import {mkdtempSync, rmSync} from 'fs';
import {tmpdir} from 'os';
import {join} from 'path';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const esbuild = require('esbuild') as typeof import('esbuild');

const root = join(__dirname, '..', '..');
/** Each case's limit; the machine may be busy, and a hang is unbounded. */
const CASE_LIMIT_MS = 30000;
const CHILD_LIMIT_MS = 150000;

/** Backends to try: cpu, and webgpu where jest.config.js would run its project. */
function backends(): string[] {
  if (process.env.CI) return ['cpu', 'webgpu'];
  const probe = spawnSync(process.execPath, [join(root, 'scripts', 'node_webgpu.cjs')], {encoding: 'utf8'});
  if (probe.status === 0) return ['cpu', 'webgpu'];
  console.warn(`hostile_process: no WebGPU here (${(probe.stderr || '').trim()}); cpu only`);
  return ['cpu'];
}

describe('hostile input in a child process, under a time limit', () => {
  let dir = '';
  let bundle = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tfjs-roi-hostile-'));
    bundle = join(dir, 'hostile_child.cjs');
    esbuild.buildSync({
      entryPoints: [join(__dirname, 'hostile_child.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['@tensorflow/*'],
      outfile: bundle,
      logLevel: 'warning',
    });
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, {recursive: true, force: true});
  });

  for (const backend of backends()) {
    it(`nothing hangs or crashes, every refusal names samplingRatio [${backend}]`, () => {
      const child = spawnSync(process.execPath, [bundle, backend], {
        encoding: 'utf8',
        timeout: CHILD_LIMIT_MS,
        env: {...process.env, NODE_PATH: join(root, 'node_modules'), ROI_NODE_WEBGPU: join(root, 'scripts', 'node_webgpu.cjs')},
        maxBuffer: 16 * 1024 * 1024,
      });
      const lines = (child.stdout || '').split('\n').filter(line => line !== '');
      const started = lines.filter(line => line.startsWith('start ')).map(line => line.slice(6));
      const results = lines.filter(line => line.startsWith('{')).map(line => JSON.parse(line) as {name: string, ms: number, error: string|null});
      if (child.status !== 0 || lines[lines.length - 1] !== 'done') {
        throw new Error(`the child ${child.signal ? `was killed (${child.signal})` : `exited with ${child.status}`} during '${
            started[started.length - 1]}' after ${results.length} cases:\n${(child.stderr || '').slice(-2000)}`);
      }
      const failures = results.filter(r => r.error !== null || r.ms > CASE_LIMIT_MS)
                           .map(r => `${r.name} (${r.ms} ms): ${r.error ?? `over ${CASE_LIMIT_MS} ms`}`);
      if (failures.length > 0) throw new Error(`${failures.length} of ${results.length} cases failed:\n${failures.join('\n')}`);
      expect(results.length).toBe(started.length);
      expect(results.length).toBeGreaterThanOrEqual(15);
    }, CHILD_LIMIT_MS + 30000);
  }
});
