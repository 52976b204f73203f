/**
 * MultiScaleRoIAlign forward in WGSL: the RoIAlign forward program itself
 * (shaders/wgsl/roi_align.ts, with its geometry), made to sample each box
 * from its own level. Three rewrites of that program's text do it:
 *
 * - the level's shape and scale (uniforms.height, .width, .spatialScale in
 *   the geometry) become the fields of a private `roiLevel`;
 * - every function that reads the image x (directly or through another)
 *   gets one copy per level reading x0 .. x{L-1}, and main() calls them
 *   through a switch on the level: once per invocation, not once per read;
 * - roiReadBox(k), which the program calls once per invocation before any
 *   geometry, becomes a wrapper that decides the box's level (its float32
 *   area against the level thresholds, as src/multi_scale_levels.ts), sets
 *   roiLevel, and makes a box without a level unreadable (output 0).
 *
 * So the sampling is RoIAlign's own, rule for rule, and the output is
 * written once per element.
 */
import type {RoIAlignMode} from '../../src/kernel_names';
import {roiAlignGeometryWgsl} from './geometry';
import {RoIAlignLanes, RoIAlignOutput, roiAlignWgsl} from './roi_align';

/** The uniform fields of L levels, after ROI_UNIFORMS: each level's shape and scale, then the thresholds. */
export function multiScaleUniforms(numLevels: number): string {
  const fields: string[] = [];
  for (let l = 0; l < numLevels; l++) {
    fields.push(`levelHeight${l} : i32, levelWidth${l} : i32, levelScale${l} : f32,`);
  }
  for (let l = 1; l < numLevels; l++) fields.push(`levelThreshold${l} : f32,`);
  return fields.join(' ');
}

/** The input names of the levels, in order. */
export function multiScaleLevelInputs(numLevels: number): string[] {
  return Array.from({length: numLevels}, (_, l) => `x${l}`);
}

/** `text` with every match of `pattern` replaced; throws if there is none (the program's text changed). */
function rewrite(text: string, pattern: RegExp, replacement: string, what: string): string {
  if (text.search(pattern) < 0) {
    throw new Error(`multiScaleRoiAlignWgsl: the RoIAlign program no longer has ${what}`);
  }
  return text.replace(pattern, replacement);
}

function levelSelectionWgsl(numLevels: number): string {
  const cases = (body: (l: number) => string) =>
      Array.from({length: numLevels - 1}, (_, i) => `    case ${i + 1}: { ${body(i + 1)} }`).join('\n');
  const thresholds = Array.from(
      {length: numLevels - 1},
      (_, i) => `  if (area >= uniforms.levelThreshold${i + 1}) { level = ${i + 1}; }`).join('\n');
  const level = (l: number) =>
      `roiLevel = RoILevel(${l}, uniforms.levelHeight${l}, uniforms.levelWidth${l}, uniforms.levelScale${l});`;
  return `
struct RoILevel {
  index : i32,
  height : i32,
  width : i32,
  spatialScale : f32,
}

// The level of the box this invocation samples (set by roiReadBox).
var<private> roiLevel : RoILevel;


// Box k at its level: the float32 area, as torchvision's box_area computes
// it, against the least area of each level. With several levels a negative
// area has none, and the box reads nothing.
fn roiReadBox(k : i32) -> RoIBox {
  var box = roiReadBoxAnyLevel(k);
  let area = (box.x2 - box.x1) * (box.y2 - box.y1);
  var level = 0;
${thresholds}
  if (${numLevels > 1 ? 'area < 0.0' : 'false'}) {
    box.readable = false;
  }
  switch level {
${cases(level)}
    default: { ${level(0)} }
  }
  return box;
}
`;
}

/**
 * `program` (a RoI program that includes roiAlignGeometryWgsl) made to work
 * at each box's level, as this file describes. lanes: how its reads of x
 * are typed, or null for a program that reads no x.
 */
function atEachBoxLevel(program: string, numLevels: number, readsX: boolean): string {
  let code = rewrite(program, /\buniforms\.(height|width|spatialScale)\b/g, 'roiLevel.$1', 'the level shape uniforms');
  if (readsX) code = perLevelReaders(code, numLevels);
  code = rewrite(code, /\bfn roiReadBox\(/g, 'fn roiReadBoxAnyLevel(', 'roiReadBox');
  return `${levelSelectionWgsl(numLevels)}\n${code}`;
}

interface WgslFunction {
  name: string;
  /** The whole declaration, `fn name(...) -> T { ... }`. */
  text: string;
  /** Its parameters' names, and whether it returns a value. */
  params: string[];
  returns: boolean;
}

/** The top-level functions of WGSL code (found by `fn name(` and matching braces). */
function wgslFunctions(code: string): WgslFunction[] {
  const found: WgslFunction[] = [];
  for (const match of code.matchAll(/\bfn (\w+)\s*\(/g)) {
    const open = code.indexOf('{', match.index!);
    let depth = 0, end = open;
    do {
      if (code[end] === '{') depth++;
      if (code[end] === '}') depth--;
      end++;
    } while (depth > 0 && end < code.length);
    const signature = code.slice(match.index!, open);
    const params = signature.slice(signature.indexOf('(') + 1, signature.lastIndexOf(')'))
                       .split(',').map(p => p.split(':')[0].trim()).filter(p => p.length > 0);
    found.push({name: match[1], text: code.slice(match.index!, end), params, returns: signature.includes('->')});
  }
  return found;
}

/**
 * `code` with every function other than main that reads x, or calls one
 * that does, replaced by one copy per level (name_l, reading x{l}), and
 * main's calls to them by a switch on roiLevel.index.
 */
function perLevelReaders(code: string, numLevels: number): string {
  const functions = wgslFunctions(code).filter(f => f.name !== 'main');
  const calls = (f: WgslFunction, name: string) => new RegExp(`\\b${name}\\(`).test(f.text.slice(f.text.indexOf('{')));
  const readers = new Set(functions.filter(f => /\bx\[/.test(f.text)).map(f => f.name));
  if (readers.size === 0) throw new Error('multiScaleRoiAlignWgsl: the RoIAlign program no longer reads x');
  for (let grew = true; grew;) {
    grew = false;
    for (const f of functions) {
      if (!readers.has(f.name) && [...readers].some(r => calls(f, r))) {
        readers.add(f.name);
        grew = true;
      }
    }
  }
  // A copy reads its level's own x, and its shape and scale straight from the uniforms.
  const levelFields: Record<string, string> = {height: 'levelHeight', width: 'levelWidth', spatialScale: 'levelScale'};
  const renamed = (text: string, l: number) => [...readers].reduce(
      (t, name) => t.replace(new RegExp(`\\b${name}\\(`, 'g'), `${name}_${l}(`),
      text.replace(/\bx\[/g, `x${l}[`)
          .replace(/\broiLevel\.(height|width|spatialScale)\b/g, (_, field: string) => `uniforms.${levelFields[field]}${l}`));
  let result = code;
  for (const f of functions.filter(f => readers.has(f.name))) {
    const copies = Array.from({length: numLevels}, (_, l) => renamed(f.text, l)).join('\n');
    const args = f.params.join(', ');
    const call = (l: number) => f.returns ? `return ${f.name}_${l}(${args});` : `${f.name}_${l}(${args}); return;`;
    const cases = Array.from({length: numLevels - 1}, (_, i) => `    case ${i + 1}: { ${call(i + 1)} }`).join('\n');
    // The dispatcher keeps the original name and signature, so main() is unchanged.
    const body = `{
  switch roiLevel.index {
${cases}
    default: { ${call(0)} }
  }
}`;
    const dispatcher = f.text.slice(0, f.text.indexOf('{')) + body;
    result = result.replace(f.text, `${copies}\n${dispatcher}`);
  }
  return result;
}

/**
 * The user code of the forward program: boxes, boxIndices, x0 .. x{L-1} ->
 * [K,outH,outW,C], y or ('max', 'winner') the winners of each box at its
 * level (MultiScaleRoIAlignWinners).
 */
export function multiScaleRoiAlignWgsl(
    numLevels: number, mode: RoIAlignMode, aligned: boolean, lanes: RoIAlignLanes,
    output: RoIAlignOutput = 'value'): string {
  return atEachBoxLevel(roiAlignWgsl(mode, aligned, output, false, lanes), numLevels, true);
}

/**
 * The user code of the program that gives the boxes of one level to
 * RoIAlign's gradient kernels: boxes, boxIndices -> [K] int32, each box's
 * image index at level uniforms.targetLevel and -1 elsewhere (-1 is
 * unreadable: no sampling, no gradient).
 */
export function multiScaleLevelIndicesWgsl(numLevels: number): string {
  return atEachBoxLevel(`${roiAlignGeometryWgsl(false)}
fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  let box = roiReadBox(index);
  setOutputAtIndexI32(index, select(-1, box.batch, box.readable && roiLevel.index == uniforms.targetLevel));
}
`, numLevels, false);
}
