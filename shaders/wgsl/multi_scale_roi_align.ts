/**
 * MultiScaleRoIAlign forward in WGSL: the RoIAlign forward program itself
 * (shaders/wgsl/roi_align.ts, with its geometry), made to sample each box
 * from its own level. Three rewrites of that program's text do it:
 *
 * - the level's shape and scale (uniforms.height, .width, .spatialScale in
 *   the geometry) become the fields of a private `roiLevel`;
 * - reads of the image x become roiLevelX(), which reads x0 .. x{L-1} by
 *   roiLevel.index;
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
import {RoIAlignLanes, roiAlignWgsl} from './roi_align';

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

function levelSelectionWgsl(numLevels: number, lanes: RoIAlignLanes|null): string {
  const value = lanes === 1 ? 'f32' : 'vec4<f32>';
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

${lanes === null ? '' : `
fn roiLevelX(i : i32) -> ${value} {
  switch roiLevel.index {
${cases(l => `return x${l}[i];`)}
    default: { return x0[i]; }
  }
}`}

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
function atEachBoxLevel(program: string, numLevels: number, lanes: RoIAlignLanes|null): string {
  let code = rewrite(program, /\buniforms\.(height|width|spatialScale)\b/g, 'roiLevel.$1', 'the level shape uniforms');
  if (lanes !== null) code = rewrite(code, /\bx\[([^\]]*)\]/g, 'roiLevelX($1)', 'reads of x');
  code = rewrite(code, /\bfn roiReadBox\(/g, 'fn roiReadBoxAnyLevel(', 'roiReadBox');
  return `${levelSelectionWgsl(numLevels, lanes)}\n${code}`;
}

/** The user code of the forward program: boxes, boxIndices, x0 .. x{L-1} -> [K,outH,outW,C]. */
export function multiScaleRoiAlignWgsl(
    numLevels: number, mode: RoIAlignMode, aligned: boolean, samplingRatio: number,
    lanes: RoIAlignLanes): string {
  return atEachBoxLevel(roiAlignWgsl(mode, aligned, samplingRatio, 'value', false, lanes), numLevels, lanes);
}

/**
 * The user code of the program that gives the boxes of one level to
 * RoIAlign's gradient kernels: boxes, boxIndices -> [K] int32, each box's
 * image index at level uniforms.targetLevel and -1 elsewhere (-1 is
 * unreadable: no sampling, no gradient).
 */
export function multiScaleLevelIndicesWgsl(numLevels: number): string {
  return atEachBoxLevel(`${roiAlignGeometryWgsl(false, 0)}
fn main(index : i32) {
  if (index >= uniforms.size) {
    return;
  }
  let box = roiReadBox(index);
  setOutputAtIndexI32(index, select(-1, box.batch, box.readable && roiLevel.index == uniforms.targetLevel));
}
`, numLevels, null);
}
