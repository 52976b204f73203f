/**
 * The README's code runs, so that the manual cannot rot:
 * - every ```js block is bundled against the package's source and run in
 *   Node on the cpu backend;
 * - every ```ts block is type-checked under the package's strict settings,
 *   then run like a js block;
 * - a js or ts block that cannot run here says so, with its reason, in an
 *   HTML comment on the line before its fence: <!-- not run: browser only -->.
 * A block that imports nothing runs with `tf` and the package's names in
 * scope (the worked example's style); a false console.assert fails its block. Blocks of other languages (sh, html)
 * are not code to run; the script tags must name the CDN for both packages.
 */
import {execFileSync} from 'child_process';
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'fs';
import {join} from 'path';

import * as esbuild from 'esbuild';
import * as ts from 'typescript';

const root = join(__dirname, '..', '..');
const scratch = join(root, '.scratch-readme-test');

export interface ReadmeBlock {
  /** The fence's language: js, ts, sh, html, ... */
  language: string;
  /** The fence's line number in README.md (1-based). */
  line: number;
  code: string;
  /** The reason given in a <!-- not run: ... --> comment, or null. */
  notRun: string|null;
}

const NOT_RUN = /^<!--\s*not run:\s*(.*?)\s*-->$/;

/** The fenced blocks of a markdown text, with their opt-out comments. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`README.md:${i + 1}: a fence that never closes`);
    const before = i > 0 ? NOT_RUN.exec(lines[i - 1].trim()) : null;
    blocks.push({language: open[1], line: i + 1, code: lines.slice(i + 1, end).join('\n'), notRun: before ? before[1] : null});
    i = end;
  }
  return blocks;
}

/** What a block without imports finds in scope. */
const PRELUDE = `import * as tf from '@tensorflow/tfjs';
import {layers, multiScaleRoiAlign, psRoiAlign, psRoiPool, registerRoILayers, roiAlign, roiAlignRotated, roiPool} from 'tfjs-roi';
`;

function moduleSource(block: ReadmeBlock): string {
  return /^\s*import\s/m.test(block.code) ? block.code : PRELUDE + block.code;
}

/**
 * The package's entry points ('tfjs-roi', 'tfjs-roi/cpu', ...) and their
 * sources, from package.json's exports (dist/cjs/src/x.js is built from src/x.ts).
 */
export function entrySources(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const sources: Record<string, string> = {};
  for (const [key, target] of Object.entries(pkg.exports as Record<string, unknown>)) {
    const cjs = (target as {require?: {default?: string}}).require?.default;
    if (!cjs) continue;
    sources[key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`] =
        cjs.replace(/^\.\/dist\/cjs\//, '').replace(/\.js$/, '.ts');
  }
  return sources;
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = readmeBlocks(readme);
const programs = blocks.filter(b => (b.language === 'js' || b.language === 'ts') && b.notRun === null);

describe('README.md', () => {
  beforeAll(() => {
    rmSync(scratch, {recursive: true, force: true});
    mkdirSync(scratch, {recursive: true});
  });
  afterAll(() => rmSync(scratch, {recursive: true, force: true}));

  it('has js and ts examples, and every opt-out gives its reason', () => {
    expect(programs.filter(b => b.language === 'js').length).toBeGreaterThanOrEqual(3);
    expect(programs.filter(b => b.language === 'ts').length).toBeGreaterThanOrEqual(1);
    for (const block of blocks) {
      if (block.notRun !== null) expect(`README.md:${block.line}: ${block.notRun}`).toMatch(/: \S/);
    }
  });

  it('every ts block type-checks under strict mode', () => {
    const files = programs.filter(b => b.language === 'ts').map(block => {
      const file = join(scratch, `block_${block.line}.ts`);
      writeFileSync(file, `${moduleSource(block)}\nexport {};\n`);
      return file;
    });
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2020,
      module: ts.ModuleKind.ES2020,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      skipLibCheck: true,
      lib: ['lib.es2020.d.ts', 'lib.dom.d.ts'],
      types: [],
      baseUrl: root,
      paths: Object.fromEntries(Object.entries(entrySources()).map(([name, source]) => [name, [source]])),
    };
    const program = ts.createProgram(files, options);
    const problems = ts.getPreEmitDiagnostics(program).map(d => {
      const where = d.file ? `${d.file.fileName.replace(/.*block_(\d+)\.ts$/, 'README.md block at line $1')}:${
          d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  });

  it('every js and ts block runs on the cpu backend', async () => {
    // Bundled against src/ (as the package), tfjs left to node_modules.
    const outputs: string[] = [];
    for (const block of programs) {
      const out = join(scratch, `block_${block.line}.mjs`);
      await esbuild.build({
        stdin: {contents: moduleSource(block), loader: block.language as 'js' | 'ts', resolveDir: root, sourcefile: `README.md:${block.line}`},
        bundle: true,
        format: 'esm',
        platform: 'node',
        external: ['@tensorflow/*'],
        alias: Object.fromEntries(Object.entries(entrySources()).map(([name, source]) => [name, join(root, source)])),
        outfile: out,
        logLevel: 'silent',
      });
      outputs.push(out);
    }
    // One Node process runs them in README order, each on a fresh cpu backend.
    const runner = join(scratch, 'run.mjs');
    writeFileSync(runner, `import * as tf from '@tensorflow/tfjs';
// A README block states its results with console.assert; here a false one fails the block.
console.assert = (ok, ...message) => {
  if (!ok) throw new Error('console.assert failed' + (message.length ? ': ' + message.join(' ') : ''));
};
for (const [line, file] of ${JSON.stringify(programs.map((b, i) => [b.line, outputs[i]]))}) {
  await tf.setBackend('cpu');
  try {
    await import(file);
  } catch (e) {
    console.error('README.md block at line ' + line + ' threw: ' + (e && e.stack || e));
    process.exit(1);
  }
}
`);
    execFileSync(process.execPath, [runner], {cwd: scratch, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60000});
  });

  it('the script tags load both packages from the CDN', () => {
    const html = blocks.filter(b => b.language === 'html').map(b => b.code).join('\n');
    const sources = [...html.matchAll(/<script src="([^"]+)"/g)].map(m => m[1]);
    expect(sources.some(s => /^https:\/\/cdn\.jsdelivr\.net\/npm\/@tensorflow\/tfjs@/.test(s))).toBe(true);
    expect(sources.some(s => /^https:\/\/cdn\.jsdelivr\.net\/npm\/tfjs-roi@[^/]+\/dist\/tfjs-roi\.min\.js$/.test(s))).toBe(true);
    expect(sources.filter(s => !s.startsWith('https://'))).toEqual([]);
  });
});
