/**
 * What the webgpu RoI kernels share: running a program within the device's
 * limits, the uniforms of the geometry, and zero results that need no
 * dispatch. tfjs-backend-webgpu's own helpers are not exported, and only
 * types may be imported from it (importing this package must not load a
 * backend), hence these small ones.
 */
import type {DataType, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend, WebGPUProgram} from '@tensorflow/tfjs-backend-webgpu';

import {MAX_SAMPLES_PER_AXIS} from '../../shaders/wgsl/geometry';

/** Invocations per workgroup; every program here is one-dimensional. */
export const WORKGROUP_SIZE: [number, number, number] = [64, 1, 1];

/** The `programDefinedUniform` argument of runWebGPUProgram. */
export type ProgramUniforms = Array<{type: 'int32'|'float32', data: number[]}>;

/**
 * A program of this package: one-dimensional over its invocations, which
 * runRoIProgram lays out within the device's dispatch limits. Subclasses hold
 * the shader; kernel functions prepare shapes and uniforms.
 */
export abstract class RoIProgram implements WebGPUProgram {
  abstract shaderKey: string;
  abstract variableNames: string[];
  uniforms?: string;
  // getCoordsFromIndex over the whole output.
  dispatchLayout: {x: number[]};
  dispatch: [number, number, number] = [1, 1, 1];
  workgroupSize = WORKGROUP_SIZE;
  // Adds uniforms.size, the output's element count.
  size = true;

  /**
   * `invocations` defaults to one per output element; the shader returns
   * early for the rest of the dispatch.
   */
  constructor(readonly outputShape: number[], readonly invocations = sizeOf(outputShape)) {
    this.dispatchLayout = {x: outputShape.map((_, i) => i)};
  }

  abstract getUserCode(): string;
}

/** Values for ROI_UNIFORMS (shaders/wgsl/geometry.ts), in its order. */
export function roiUniforms(
    attrs: {pooledHeight: number, pooledWidth: number, spatialScale: number}): ProgramUniforms {
  return [
    {type: 'int32', data: [attrs.pooledHeight]},
    {type: 'int32', data: [attrs.pooledWidth]},
    {type: 'float32', data: [attrs.spatialScale]},
  ];
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function shapeText(shape: number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * Workgroups for `invocations`: along x while that fits the device's
 * per-dimension limit, then spread over y and z. The backend's flat index
 * (getGlobalIndex) counts across all three, so shaders need no change.
 */
function spreadDispatch(invocations: number, maxPerDimension: number): [number, number, number] {
  const groups = Math.max(Math.ceil(invocations / WORKGROUP_SIZE[0]), 1);
  const x = Math.min(groups, maxPerDimension);
  const rest = Math.ceil(groups / x);
  const y = Math.min(rest, maxPerDimension);
  return [x, y, Math.ceil(rest / y)];
}

/**
 * Throws a clear Error, before anything is dispatched, when a tensor of the
 * program would not fit a storage binding or the work would not fit a
 * dispatch: WebGPU would otherwise fail asynchronously (a validation error or
 * a lost device) and leave garbage in the output.
 */
function checkLimits(
    backend: WebGPUBackend, kernelName: string, program: RoIProgram, inputs: TensorInfo[]): void {
  const limits = backend.device.limits;
  const tensors = [
    ...inputs.map((t, i) => ({name: program.variableNames[i], shape: t.shape})),
    {name: 'output', shape: program.outputShape},
  ];
  const fail = (what: string) => {
    throw new Error(`${kernelName} on webgpu: ${what}; split the boxes (or images) into smaller batches`);
  };
  for (const {name, shape} of tensors) {
    const bytes = 4 * sizeOf(shape);
    if (bytes > limits.maxStorageBufferBindingSize) {
      fail(`${name} ${shapeText(shape)} takes ${bytes} bytes, more than this device's maxStorageBufferBindingSize (${
          limits.maxStorageBufferBindingSize})`);
    }
    if (bytes > limits.maxBufferSize) {
      fail(`${name} ${shapeText(shape)} takes ${bytes} bytes, more than this device's maxBufferSize (${
          limits.maxBufferSize})`);
    }
  }
  const max = limits.maxComputeWorkgroupsPerDimension;
  const [x, y, z] = spreadDispatch(program.invocations, max);
  // Shaders index invocations with i32.
  if (z > max || x * y * z * WORKGROUP_SIZE[0] > 0x7fffffff) {
    fail(`${program.invocations} invocations do not fit one dispatch (maxComputeWorkgroupsPerDimension ${max})`);
  }
}

/**
 * Runs `program` after checking the device limits; it lays out the dispatch
 * itself, so that no dimension exceeds maxComputeWorkgroupsPerDimension.
 */
export function runRoIProgram(
    backend: WebGPUBackend, kernelName: string, program: RoIProgram, inputs: TensorInfo[],
    dtype: DataType, uniforms: ProgramUniforms): TensorInfo {
  checkLimits(backend, kernelName, program, inputs);
  program.dispatch =
      spreadDispatch(program.invocations, backend.device.limits.maxComputeWorkgroupsPerDimension);
  return backend.runWebGPUProgram(program, inputs, dtype, uniforms);
}

/** A float32 tensor of zeros, written from the CPU without a dispatch. */
export function zerosTensor(backend: WebGPUBackend, shape: number[]): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', new Float32Array(sizeOf(shape)));
}

/** Whether any dimension of the shape is 0. */
export function isEmpty(shape: number[]): boolean {
  return sizeOf(shape) === 0;
}

/**
 * Throws when a fixed sampling ratio would give more samples per axis than
 * the shaders index (MAX_SAMPLES_PER_AXIS); the adaptive grid caps itself.
 */
export function checkSamplingRatio(
    kernelName: string, attrs: {pooledHeight: number, pooledWidth: number, samplingRatio: number}): void {
  const pooled = Math.max(attrs.pooledHeight, attrs.pooledWidth);
  if (attrs.samplingRatio > 0 && pooled * attrs.samplingRatio > MAX_SAMPLES_PER_AXIS) {
    throw new Error(`${kernelName} on webgpu: samplingRatio ${attrs.samplingRatio} x outputSize ${
        pooled} exceeds ${MAX_SAMPLES_PER_AXIS} samples per axis`);
  }
}

/** The sampling ratio as a shaderKey part: a fixed ratio is compiled in. */
export function samplingKey(samplingRatio: number): string {
  return samplingRatio > 0 ? `ratio${samplingRatio}` : 'adaptive';
}
