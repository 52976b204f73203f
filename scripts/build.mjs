// Builds dist/: ESM and CJS modules (tfjs-core left external), type
// declarations, and the script-tag bundle dist/tfjs-roi.min.js over the global tf.
import {execFileSync} from 'node:child_process';
import {rmSync} from 'node:fs';
import * as esbuild from 'esbuild';

rmSync('dist', {recursive: true, force: true});

// Type-check (strict) and emit the declarations.
execFileSync('npx', ['tsc', '-p', '.', '--emitDeclarationOnly'], {stdio: 'inherit'});

const common = {
  entryPoints: ['src/index.ts'],
  bundle: true,
  external: ['@tensorflow/*'],
  target: 'es2019',
  sourcemap: true,
  logLevel: 'warning',
};
await esbuild.build({...common, format: 'esm', outfile: 'dist/index.mjs'});
await esbuild.build({...common, format: 'cjs', outfile: 'dist/index.cjs'});

// In the script-tag bundle, tfjs-core is the global `tf` from tf.min.js.
const globalTf = {
  name: 'global-tf',
  setup(build) {
    build.onResolve({filter: /^@tensorflow\/tfjs-core$/}, () => ({path: 'tf', namespace: 'global-tf'}));
    build.onLoad({filter: /.*/, namespace: 'global-tf'}, () => ({contents: 'module.exports = globalThis.tf;', loader: 'js'}));
  },
};
await esbuild.build({
  ...common,
  entryPoints: ['src/bundle.ts'],
  external: [],
  plugins: [globalTf],
  format: 'iife',
  globalName: 'tfjsRoi',
  minify: true,
  outfile: 'dist/tfjs-roi.min.js',
});
console.log('built dist/index.mjs, dist/index.cjs, dist/types, dist/tfjs-roi.min.js');
