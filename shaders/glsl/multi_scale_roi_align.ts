/**
 * MultiScaleRoIAlign forward in GLSL: RoIAlign's packed forward shader
 * itself (roiAlignPackedForwardShader in shaders/glsl/roi_align.ts, with its
 * samples computed in the fragment or read from its sample table, whose
 * shader is rewritten alike), made to sample each box from its own level.
 * Rewrites of that shader's text do it:
 *
 * - the level's height and width (roiXDims.y, .z) and its scale (roiScale)
 *   become globals, set per box; N and C (roiXDims.x, .w) stay uniforms,
 *   the same for every level;
 * - every function that reads roiX (one element or a pair) gets one copy per
 *   level, reading roiX0 .. roiX{L-1}, and the original chooses among them
 *   by the box's level once per call, not once per read: so the block
 *   reductions' loops read one level's texture, and all four outputs of a
 *   fragment, which share their box, take the same branch;
 * - roiReadBox(k), which main() calls before any geometry (the 'table'
 *   start, which reads only the box's image, is made to), becomes a
 *   wrapper that decides the box's level (its float32 area against the
 *   level thresholds, as src/multi_scale_levels.ts), sets those globals, and
 *   makes a box without a level unreadable (output 0).
 *
 * So the sampling is RoIAlign's own, rule for rule, and every texel of y (two
 * bins by two channels) is written once.
 */
import type {CustomUniforms} from './roi_common';
import {BOX_GLSL, flatPairReader, flatReader, OUTPUT_INDEX_GLSL, outputStart, ROI_ALIGN_UNIFORMS} from './roi_common';
import {roiAlignPackedForwardShader, roiSampleTableShader} from './roi_align';
import type {RoIAlignReduce} from './roi_align';

/** The input names of the levels, in order. */
export function multiScaleLevelInputs(numLevels: number): string[] {
  return Array.from({length: numLevels}, (_, l) => `roiX${l}`);
}

/**
 * ROI_ALIGN_UNIFORMS without roiScale (a global here), and per level its
 * [height, width], its scale, and the least area of each level after the first.
 */
export function multiScaleUniforms(numLevels: number): CustomUniforms {
  return [
    ...ROI_ALIGN_UNIFORMS.filter(u => u.name !== 'roiScale'),
    {name: 'roiLevelSizes', type: 'ivec2', arrayIndex: numLevels},
    {name: 'roiLevelScales', type: 'float', arrayIndex: numLevels},
    {name: 'roiLevelThresholds', type: 'float', arrayIndex: Math.max(numLevels - 1, 1)},
  ];
}

/** `text` with `pattern` replaced; throws if it is not there (the shader's text changed). */
function rewrite(text: string, pattern: string|RegExp, replacement: string, what: string): string {
  const found = typeof pattern === 'string' ? text.includes(pattern) : text.search(pattern) >= 0;
  if (!found) throw new Error(`multiScaleRoiAlignShader: the RoIAlign shader no longer has ${what}`);
  return typeof pattern === 'string' ? text.split(pattern).join(replacement) : text.replace(pattern, replacement);
}

/** BOX_GLSL's roiReadBox, renamed roiReadBoxAnyLevel, followed by the level-deciding roiReadBox. */
function decidingLevels(code: string, numLevels: number): string {
  const boxReader = /RoIBox roiReadBox\(int k\) \{[^}]*\}\n/;
  const found = code.match(boxReader);
  if (found === null) throw new Error('multiScaleRoiAlignShader: the RoIAlign shader no longer has roiReadBox');
  return code.replace(
      boxReader, found[0].replace('roiReadBox(', 'roiReadBoxAnyLevel(') + levelSelectionGlsl(numLevels));
}

// The level of the box this fragment samples, its [height, width] and
// scale (set by roiReadBox).
const LEVEL_GLOBALS_GLSL = `
int roiLevel;
ivec2 roiLevelSize;
float roiScale;
`;

/**
 * The name of level l's reader of roiX: flatReader's (suffix ''), or
 * flatPairReader's ('Pair', 'Step').
 */
function levelReaderName(l: number, suffix: string): string {
  return `readRoiX${l}${suffix}`;
}

/**
 * Per level, the readers of its x, one element (readRoiX{l}) or two
 * (readRoiX{l}Pair, readRoiX{l}Step): perLevelReaders calls them in place
 * of readRoiX, readRoiXPair and readRoiXStep.
 */
function levelReadersGlsl(numLevels: number): string {
  return `
${multiScaleLevelInputs(numLevels).map(name => flatReader(name) + flatPairReader(name)).join('\n')}
${LEVEL_GLOBALS_GLSL}
`;
}

function levelSelectionGlsl(numLevels: number): string {
  return `
// Box k at its level: the float32 area, as torchvision's box_area computes
// it, against the least area of each level. With several levels a negative
// area has none, and the box reads nothing.
RoIBox roiReadBox(int k) {
  RoIBox box = roiReadBoxAnyLevel(k);
  float area = (box.x2 - box.x1) * (box.y2 - box.y1);
  roiLevel = 0;
  for (int t = 0; t < ${numLevels - 1}; t++) {
    if (area >= roiLevelThresholds[t]) roiLevel = t + 1;
  }
  if (${numLevels > 1 ? 'area < 0.0' : 'false'}) box.batch = -1;
  roiLevelSize = roiLevelSizes[roiLevel];
  roiScale = roiLevelScales[roiLevel];
  return box;
}
`;
}

interface GlslFunction {
  name: string;
  /** The whole definition, `type name(...) { ... }`. */
  text: string;
  params: string[];
  returns: boolean;
}

/** The top-level function definitions of GLSL code (a return type, a name, parameters, braces). */
function glslFunctions(code: string): GlslFunction[] {
  const found: GlslFunction[] = [];
  for (const match of code.matchAll(/^(\w+) (\w+)\(([^)]*)\) \{/gm)) {
    const open = match.index! + match[0].length - 1;
    let depth = 0, end = open;
    do {
      if (code[end] === '{') depth++;
      if (code[end] === '}') depth--;
      end++;
    } while (depth > 0 && end < code.length);
    const params = match[3].split(',').map(p => p.trim().split(/\s+/).pop()!).filter(p => p.length > 0);
    found.push({name: match[2], text: code.slice(match.index!, end), params, returns: match[1] !== 'void'});
  }
  return found;
}

/**
 * `code` without the functions main() never reaches: RoIAlign's scalar
 * reductions, the levels' copies of them, and the choices that the copies
 * made unused. A smaller shader compiles sooner.
 */
function withoutUnusedFunctions(code: string): string {
  const functions = glslFunctions(code);
  const used = new Set<string>(['main']);
  for (let grew = true; grew;) {
    grew = false;
    for (const f of functions) {
      if (used.has(f.name)) continue;
      if (functions.some(g => used.has(g.name) && new RegExp(`\\b${f.name}\\(`).test(g.text.slice(g.text.indexOf('{'))))) {
        used.add(f.name);
        grew = true;
      }
    }
  }
  return functions.filter(f => !used.has(f.name)).reduce((t, f) => t.replace(f.text, ''), code);
}

/**
 * `code` with every function other than main that reads x (through readRoiX,
 * readRoiXPair or readRoiXStep, or another such function) given one copy per level
 * (name_l, reading roiX{l} with that level's size), and the original
 * turned into a choice among the copies: so the sampling loops read one
 * level's texture, and the level is chosen once per call.
 */
function perLevelReaders(code: string, numLevels: number): string {
  const roots = ['readRoiX', 'readRoiXPair', 'readRoiXStep'];
  const functions = glslFunctions(code).filter(f => f.name !== 'main' && !roots.includes(f.name));
  const body = (f: GlslFunction) => f.text.slice(f.text.indexOf('{'));
  const callsOf = (name: string) => new RegExp(`\\b${name}\\(`, 'g');
  const readers = new Set<string>(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const f of functions) {
      if (!readers.has(f.name) && [...readers].some(r => callsOf(r).test(body(f)))) {
        readers.add(f.name);
        grew = true;
      }
    }
  }
  roots.forEach(r => readers.delete(r));
  if (readers.size === 0) throw new Error('multiScaleRoiAlignShader: the RoIAlign shader no longer reads roiX');
  const copy = (text: string, l: number) => [...readers].reduce(
      (t, name) => t.replace(callsOf(name), `${name}_${l}(`),
      roots.reduce((t, root) => t.replace(callsOf(root), `${levelReaderName(l, root.slice('readRoiX'.length))}(`), text)
          .replace(/\broiLevelSize\b/g, `roiLevelSizes[${l}]`));
  let result = code;
  for (const f of functions.filter(f => readers.has(f.name))) {
    const copies = Array.from({length: numLevels}, (_, l) => copy(f.text, l)).join('\n');
    const args = f.params.join(', ');
    const call = (l: number) => f.returns ? `return ${f.name}_${l}(${args});` : `${f.name}_${l}(${args}); return;`;
    const choice = Array.from({length: numLevels - 1}, (_, l) => `  if (roiLevel == ${l}) { ${call(l)} }`).join('\n');
    const chooser = `${f.text.slice(0, f.text.indexOf('{'))}{\n${choice}\n  ${call(numLevels - 1)}\n}`;
    result = result.replace(f.text, `${copies}\n${chooser}`);
  }
  return result;
}

/**
 * Where the forward gets its samples (as RoIAlignForwardSource's 'geometry'
 * and 'table'): computed in the fragment, or with a fixed samplingRatio read
 * from the sample table of multiScaleSampleTableShader, made at each box's
 * level. x is read unpacked either way.
 */
export type MultiScaleForwardSource = 'geometry'|'table';

/** The inputs of the forward: the box table, the sample table ('table'), then the levels. */
export function multiScaleForwardInputs(numLevels: number, source: MultiScaleForwardSource): string[] {
  return ['roiBoxTable', ...(source === 'table' ? ['roiSampleTable'] : []), ...multiScaleLevelInputs(numLevels)];
}

/**
 * y [K, outH, outW, C] in tfjs's packed layout (one texel per two bins by
 * two channels, as roiAlignPackedForwardShader's), or for 'winner' each
 * bin's winning sample at its box's level (MultiScaleRoIAlignWinners),
 * packed alike. Inputs: multiScaleForwardInputs(numLevels, source);
 * uniforms: multiScaleUniforms.
 */
export function multiScaleRoiAlignShader(
    numLevels: number, reduce: RoIAlignReduce, source: MultiScaleForwardSource): string {
  let code = roiAlignPackedForwardShader(reduce, source);
  if (source === 'table') {
    // The box's level, not only its image, decides whether it reads anything.
    code = rewrite(
        code, 'int batch = int(roiReadBoxField(k, 0));', 'int batch = roiReadBox(k).batch;', 'the box\'s image');
  }
  code = rewrite(code, flatReader('roiX'), levelReadersGlsl(numLevels), 'a reader of roiX');
  code = rewrite(code, flatPairReader('roiX'), '', 'a pair reader of roiX');
  return withoutUnusedFunctions(perLevelReaders(decidingLevels(atLevelSize(code), numLevels), numLevels));
}

/** The map's height and width (roiXDims.y, .z) in `code` as the box's level's. */
function atLevelSize(code: string): string {
  code = rewrite(code, /\broiXDims\.y\b/g, 'roiLevelSize.x', 'the map height');
  return rewrite(code, /\broiXDims\.z\b/g, 'roiLevelSize.y', 'the map width');
}

/**
 * The sample table of roiSampleTableShader (unpacked: [K, (outH + outW) *
 * samplingRatio, 2]), each box's samples at its level, with that level's
 * size and scale; a box without a level has none. Input: roiBoxTable;
 * uniforms: multiScaleUniforms.
 */
export function multiScaleSampleTableShader(numLevels: number): string {
  return decidingLevels(atLevelSize(`${LEVEL_GLOBALS_GLSL}${roiSampleTableShader()}`), numLevels);
}

/**
 * [K] (an intermediate): each box's image index at level roiTargetLevel and
 * -1 at the others, as RoIAlign's gradient kernels take boxIndices (-1 reads
 * nothing and gets no gradient). Inputs: roiBoxTable; uniforms:
 * multiScaleUniforms and roiTargetLevel.
 */
export function multiScaleLevelIndicesShader(numLevels: number): string {
  return `${flatReader('roiBoxTable')}
${OUTPUT_INDEX_GLSL}
${LEVEL_GLOBALS_GLSL}
${decidingLevels(BOX_GLSL, numLevels)}
void main() {
  ${outputStart('roiBoxCount')}
  RoIBox box = roiReadBox(index);
  setOutput(box.batch >= 0 && roiLevel == roiTargetLevel ? float(box.batch) : -1.0);
}
`;
}
