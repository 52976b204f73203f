/**
 * The plumbing of the dx scatters (shaders/glsl/roi_scatter.ts), which tfjs's
 * program runner cannot express: a vertex shader of our own, draws of
 * many points and additive blending into a float target. They draw through the
 * backend's own WebGL 2 context and put back every piece of GL state they
 * touch, so tfjs's programs run on undisturbed.
 */
import {env} from '@tensorflow/tfjs-core';
import type {TensorInfo} from '@tensorflow/tfjs-core';
import type {MathBackendWebGL} from '@tensorflow/tfjs-backend-webgl';

import type {CustomUniforms} from '../../shaders/glsl/roi_common';

/**
 * tf.env() flag, true by default: set it to false and the dx kernels keep
 * to the culled gathers (culled_gather.ts) even where the scatter could
 * run (the suite runs both ways).
 */
export const WEBGL_SCATTER_FLAG = 'ROI_WEBGL_SCATTER';
env().registerFlag(WEBGL_SCATTER_FLAG, () => true);

/**
 * Points per draw. Each covers at most 2 x 2 pixels of one slab's channels,
 * so a draw's length is bounded whatever the boxes and the map (a long
 * draw can trip the OS GPU watchdog and lose the context).
 */
export const POINTS_PER_DRAW = 1 << 16;

/**
 * Whether this backend can scatter: the flag, WebGL 2, float32 render
 * targets, and blending on them (EXT_float_blend; without it blending a
 * float target is an error).
 */
export function scatterAvailable(backend: MathBackendWebGL): boolean {
  if (!env().getBool(WEBGL_SCATTER_FLAG) || env().getNumber('WEBGL_VERSION') !== 2) return false;
  if (!env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) return false;
  const gl = backend.gpgpu.gl;
  return gl.getExtension('EXT_color_buffer_float') != null && gl.getExtension('EXT_float_blend') != null;
}

/** A linked scatter program, its empty vertex array and its uniforms' locations. */
interface ScatterProgram {
  program: WebGLProgram;
  vao: WebGLVertexArrayObject;
  locations: Map<string, WebGLUniformLocation|null>;
}

/** Per context: the programs by source, and the one framebuffer the scatters draw into. */
interface ContextCache {
  programs: Map<string, ScatterProgram>;
  framebuffer: WebGLFramebuffer;
}

const caches = new WeakMap<WebGL2RenderingContext, ContextCache>();

function contextCache(gl: WebGL2RenderingContext): ContextCache {
  let cache = caches.get(gl);
  if (cache === undefined) {
    const framebuffer = gl.createFramebuffer();
    if (framebuffer === null) throw new Error('the dx scatter could not create a framebuffer');
    cache = {programs: new Map(), framebuffer};
    caches.set(gl, cache);
  }
  return cache;
}

function compile(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type);
  if (shader === null) throw new Error('the dx scatter could not create a shader');
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
    const log = gl.getShaderInfoLog(shader);
    gl.deleteShader(shader);
    throw new Error(`the dx scatter's ${type === gl.VERTEX_SHADER ? 'vertex' : 'fragment'} shader failed to compile: ${log}`);
  }
  return shader;
}

function scatterProgram(
    gl: WebGL2RenderingContext, vertexSource: string, fragmentSource: string, names: string[]): ScatterProgram {
  const cache = contextCache(gl);
  const key = `${vertexSource}\n//--\n${fragmentSource}`;
  const cached = cache.programs.get(key);
  if (cached !== undefined) return cached;
  const vertex = compile(gl, gl.VERTEX_SHADER, vertexSource);
  const fragment = compile(gl, gl.FRAGMENT_SHADER, fragmentSource);
  const program = gl.createProgram();
  const vao = gl.createVertexArray();
  if (program === null || vao === null) throw new Error('the dx scatter could not create a program');
  gl.attachShader(program, vertex);
  gl.attachShader(program, fragment);
  gl.linkProgram(program);
  gl.deleteShader(vertex);
  gl.deleteShader(fragment);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
    throw new Error(`the dx scatter's program failed to link: ${gl.getProgramInfoLog(program)}`);
  }
  const locations = new Map(names.map(name => [name, gl.getUniformLocation(program, name)]));
  const made = {program, vao, locations};
  cache.programs.set(key, made);
  return made;
}

function setUniform(gl: WebGL2RenderingContext, type: string, at: WebGLUniformLocation|null, value: number[]): void {
  if (at === null) return;  // optimized out
  switch (type) {
    case 'int': gl.uniform1i(at, value[0]); break;
    case 'ivec2': gl.uniform2i(at, value[0], value[1]); break;
    case 'ivec4': gl.uniform4i(at, value[0], value[1], value[2], value[3]); break;
    case 'float': gl.uniform1f(at, value[0]); break;
    case 'vec2': gl.uniform2f(at, value[0], value[1]); break;
    default: throw new Error(`the dx scatter sets no uniform of type ${type}`);
  }
}

/** What one scatter draws: its shaders, inputs by sampler name, uniforms and points. */
export interface ScatterDraw {
  vertexShader: string;
  fragmentShader: string;
  /**
   * Sampler name -> a tensor on the GPU, with <name>TexShape (tfjs's texShape:
   * elements, two per texel each way for a packed one) and offset<name>.
   */
  samplers: Array<[string, TensorInfo]>;
  uniforms: CustomUniforms;
  values: Record<string, number[]>;
  points: number;
}

/**
 * Clears `target` (a float32 tensor on the GPU: an unpacked one's R32F
 * texture, or a packed one's RGBA32F) and blends draw's points into it in order, in draws of
 * POINTS_PER_DRAW. Every piece of GL state touched is restored.
 */
export function drawScatter(backend: MathBackendWebGL, target: TensorInfo, draw: ScatterDraw): void {
  const gl = backend.gpgpu.gl as WebGL2RenderingContext;
  const targetData = backend.texData.get(target.dataId);
  // A packed tensor's texShape counts elements, two to a texel each way.
  const [rows, columns] = targetData.texShape!.map(side => targetData.isPacked ? Math.ceil(side / 2) : side);
  const textures = draw.samplers.map(([, t]) => {
    const data = backend.texData.get(t.dataId);
    return {texture: data.texture!.texture, shape: data.texShape!, offset: data.slice?.flatOffset ?? 0};
  });
  const names = [...draw.uniforms.map(u => u.name), ...draw.samplers.flatMap(([name]) => [name, `${name}TexShape`, `offset${name}`])];
  const program = scatterProgram(gl, draw.vertexShader, draw.fragmentShader, names);
  const framebuffer = contextCache(gl).framebuffer;

  const saved = {
    program: gl.getParameter(gl.CURRENT_PROGRAM) as WebGLProgram | null,
    vao: gl.getParameter(gl.VERTEX_ARRAY_BINDING) as WebGLVertexArrayObject | null,
    framebuffer: gl.getParameter(gl.FRAMEBUFFER_BINDING) as WebGLFramebuffer | null,
    viewport: gl.getParameter(gl.VIEWPORT) as Int32Array,
    scissor: gl.getParameter(gl.SCISSOR_BOX) as Int32Array,
    clearColor: gl.getParameter(gl.COLOR_CLEAR_VALUE) as Float32Array,
    blend: gl.isEnabled(gl.BLEND),
    cullFace: gl.isEnabled(gl.CULL_FACE),
    blendSrcRgb: gl.getParameter(gl.BLEND_SRC_RGB) as number,
    blendDstRgb: gl.getParameter(gl.BLEND_DST_RGB) as number,
    blendSrcAlpha: gl.getParameter(gl.BLEND_SRC_ALPHA) as number,
    blendDstAlpha: gl.getParameter(gl.BLEND_DST_ALPHA) as number,
    blendEquationRgb: gl.getParameter(gl.BLEND_EQUATION_RGB) as number,
    blendEquationAlpha: gl.getParameter(gl.BLEND_EQUATION_ALPHA) as number,
    activeTexture: gl.getParameter(gl.ACTIVE_TEXTURE) as number,
    textures: textures.map((_, unit) => {
      gl.activeTexture(gl.TEXTURE0 + unit);
      return gl.getParameter(gl.TEXTURE_BINDING_2D) as WebGLTexture | null;
    }),
  };
  try {
    gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, targetData.texture!.texture, 0);
    gl.viewport(0, 0, columns, rows);
    gl.scissor(0, 0, columns, rows);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    gl.useProgram(program.program);
    gl.bindVertexArray(program.vao);
    textures.forEach((t, unit) => {
      const [name] = draw.samplers[unit];
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, t.texture);
      const sampler = program.locations.get(name) ?? null;
      if (sampler !== null) gl.uniform1i(sampler, unit);
      setUniform(gl, 'ivec2', program.locations.get(`${name}TexShape`) ?? null, t.shape);
      setUniform(gl, 'int', program.locations.get(`offset${name}`) ?? null, [t.offset]);
    });
    for (const u of draw.uniforms) {
      if (u.name === 'roiFirstQuad') continue;
      const value = draw.values[u.name];
      if (value === undefined) throw new Error(`no value for uniform ${u.name}`);
      setUniform(gl, u.type, program.locations.get(u.name) ?? null, value);
    }
    gl.disable(gl.CULL_FACE);
    gl.enable(gl.BLEND);
    gl.blendEquation(gl.FUNC_ADD);
    gl.blendFunc(gl.ONE, gl.ONE);
    const first = program.locations.get('roiFirstQuad') ?? null;
    for (let point = 0; point < draw.points; point += POINTS_PER_DRAW) {
      setUniform(gl, 'int', first, [point]);
      gl.drawArrays(gl.POINTS, 0, Math.min(POINTS_PER_DRAW, draw.points - point));
    }
  } finally {
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, null, 0);
    gl.bindFramebuffer(gl.FRAMEBUFFER, saved.framebuffer);
    gl.viewport(saved.viewport[0], saved.viewport[1], saved.viewport[2], saved.viewport[3]);
    gl.scissor(saved.scissor[0], saved.scissor[1], saved.scissor[2], saved.scissor[3]);
    gl.clearColor(saved.clearColor[0], saved.clearColor[1], saved.clearColor[2], saved.clearColor[3]);
    if (!saved.blend) gl.disable(gl.BLEND);
    if (saved.cullFace) gl.enable(gl.CULL_FACE);
    gl.blendFuncSeparate(saved.blendSrcRgb, saved.blendDstRgb, saved.blendSrcAlpha, saved.blendDstAlpha);
    gl.blendEquationSeparate(saved.blendEquationRgb, saved.blendEquationAlpha);
    saved.textures.forEach((texture, unit) => {
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, texture);
    });
    gl.activeTexture(saved.activeTexture);
    gl.bindVertexArray(saved.vao);
    gl.useProgram(saved.program);
  }
}
