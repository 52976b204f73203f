/**
 * Serves site/ over http://localhost: the HTML and static files as they are,
 * and every page script site/<page>.ts bundled by esbuild (with tfjs and this
 * package from source) as /build/<page>.js, rebuilt when a source changes.
 *
 * Used by `npm run serve` (scripts/serve.mjs), the e2e tests (test/e2e/) and
 * the browser bench.
 */
import {readdirSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SITE_DIR = join(ROOT, 'site');

/** site/<page>.ts for every page; helpers shared by pages live in site/lib/. */
function pageEntries() {
  return readdirSync(SITE_DIR).filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts')).map(f => join(SITE_DIR, f));
}

/**
 * Starts the server. port 0 picks a free one. Resolves to {url, stop}; url is
 * http://localhost:<port>/ because navigator.gpu needs a secure context, and
 * a loopback host name is one while a bare IP over http is not in every browser.
 */
export async function startSiteServer({port = 0} = {}) {
  let firstBuildDone;
  const firstBuild = new Promise(resolve => firstBuildDone = resolve);
  const scripts = await esbuild.context({
    entryPoints: pageEntries(),
    bundle: true,
    format: 'esm',
    target: 'es2020',
    sourcemap: 'linked',
    outdir: join(SITE_DIR, 'build'),
    logLevel: 'warning',
    plugins: [{name: 'first-build', setup: build => build.onEnd(() => firstBuildDone())}],
  });
  // esbuild's own server rebuilds every page on every request for a script
  // (seconds each on a busy machine), so the scripts are built on disk by
  // watch mode, once and again when a source changes, and served as files.
  await scripts.watch();
  await firstBuild;
  const files = await esbuild.context({logLevel: 'warning'});
  const served = await files.serve({servedir: SITE_DIR, host: '127.0.0.1', port});
  return {
    url: `http://localhost:${served.port}/`,
    stop: async () => {
      await files.dispose();
      await scripts.dispose();
    },
  };
}
