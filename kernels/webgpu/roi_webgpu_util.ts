/**
 * What the webgpu RoI kernels share: running a program within the device's
 * limits, the uniforms of the geometry, and zero results that need no
 * dispatch. tfjs-backend-webgpu's own helpers are not exported, and only
 * types may be imported from it (importing this package must not load a
 * backend), hence these small ones.
 */
import type {DataType, KernelFunc, TensorInfo} from '@tensorflow/tfjs-core';
import type {WebGPUBackend, WebGPUProgram} from '@tensorflow/tfjs-backend-webgpu';

import type {RoIInputs} from '../../src/kernel_names';
import {MAX_SAMPLES_PER_BIN_AXIS} from '../../src/limits';
import {ROI_UNIFORMS} from '../../shaders/wgsl/geometry';

/** Invocations per workgroup; every program here is one-dimensional. */
export const WORKGROUP_SIZE: [number, number, number] = [64, 1, 1];

/** The `programDefinedUniform` argument of runWebGPUProgram. */
export type ProgramUniforms = Array<{type: 'int32'|'float32', data: number[]}>;

/**
 * A program of this package: one invocation per output element unless told
 * otherwise, laid out by runRoIProgram within the device's dispatch limits.
 * Subclasses hold the shader; kernel functions prepare shapes and uniforms.
 *
 * tfjs appends to every shaderKey a signature of the bound tensors' shapes:
 * their ranks, and which input dimensions are 1 where the output's are not
 * (broadcasting). Bound with their real shapes, the kernels would compile a
 * new pipeline whenever K, N, C or the pooled size became 1 or stopped being
 * 1. So runRoIProgram binds every input as a flat [n] view and the output as
 * an [n, 1] column, which keeps that signature fixed, and the shaders read
 * the real shapes from ROI_UNIFORMS.
 */
export abstract class RoIProgram implements WebGPUProgram {
  abstract shaderKey: string;
  abstract variableNames: string[];
  uniforms = ROI_UNIFORMS;
  /** The [n, 1] column tfjs sees. */
  outputShape: number[];
  dispatchLayout = {x: [0, 1]};
  dispatch: [number, number, number] = [1, 1, 1];
  workgroupSize = WORKGROUP_SIZE;
  // Adds uniforms.size, the output's element count.
  size = true;

  constructor(readonly shape: number[], readonly invocations = sizeOf(shape)) {
    this.outputShape = [sizeOf(shape), 1];
  }

  abstract getUserCode(): string;
}

/** The attributes the geometry's uniforms hold. */
export type RoIGeometryAttrs = {pooledHeight: number, pooledWidth: number, spatialScale: number, samplingRatio?: number};

/** Values for ROI_UNIFORMS (shaders/wgsl/geometry.ts), in its order. */
export function roiUniforms(
    xShape: number[], numBoxes: number,
    attrs: RoIGeometryAttrs): ProgramUniforms {
  return [
    ...[...xShape, numBoxes, attrs.pooledHeight, attrs.pooledWidth].map(
        v => ({type: 'int32' as const, data: [v]})),
    {type: 'float32', data: [attrs.spatialScale]},
    // A uniform, never a constant: see roiAlignGeometryWgsl. RoIPool has none.
    {type: 'int32', data: [Math.max(attrs.samplingRatio ?? 0, 0)]},
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
    {name: 'output', shape: program.shape},
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
 * Runs `program` after checking the device limits, and returns its output
 * with its real shape. It lays out the dispatch itself, so that no dimension
 * exceeds maxComputeWorkgroupsPerDimension.
 */
export function runRoIProgram(
    backend: WebGPUBackend, kernelName: string, program: RoIProgram, inputs: TensorInfo[],
    dtype: DataType, uniforms: ProgramUniforms): TensorInfo {
  checkLimits(backend, kernelName, program, inputs);
  program.dispatch =
      spreadDispatch(program.invocations, backend.device.limits.maxComputeWorkgroupsPerDimension);
  const output = backend.makeTensorInfo(program.shape, dtype);
  // Views of the same buffers, shaped as RoIProgram explains.
  const flatInputs = inputs.map(t => ({dataId: t.dataId, shape: [sizeOf(t.shape)], dtype: t.dtype}));
  backend.runWebGPUProgram(
      program, flatInputs, dtype, uniforms, {dataId: output.dataId, shape: program.outputShape, dtype});
  return output;
}

/** The tensors a program may read, by the names in its variableNames. */
export type RoITensors =
    RoIInputs&{
      dy?: TensorInfo, winner?: TensorInfo | null, reach?: TensorInfo, tileBoxes?: TensorInfo, tileLines?: TensorInfo,
      sampleTable?: TensorInfo,
    };

/**
 * Runs a program of the geometry (ROI_UNIFORMS, then `moreUniforms` for
 * programs that declare more) on the tensors its variableNames name, in
 * that order.
 */
export function runOnRoITensors(
    backend: WebGPUBackend, kernelName: string, program: RoIProgram, tensors: RoITensors,
    attrs: RoIGeometryAttrs, dtype: DataType,
    moreUniforms: ProgramUniforms = []): TensorInfo {
  const inputs = program.variableNames.map(name => {
    const tensor = tensors[name as keyof RoITensors];
    if (tensor == null) throw new Error(`${kernelName}: ${program.shaderKey} reads a missing ${name}`);
    return tensor;
  });
  return runRoIProgram(
      backend, kernelName, program, inputs, dtype,
      [...roiUniforms(tensors.x.shape, tensors.boxes.shape[0], attrs), ...moreUniforms]);
}

/** run(), then release the intermediate tensors it read, even if it threw. */
export function releasing<T>(backend: WebGPUBackend, temporaries: Array<TensorInfo|null>, run: () => T): T {
  try {
    return run();
  } finally {
    for (const t of temporaries) {
      if (t !== null) backend.disposeData(t.dataId);
    }
  }
}

/**
 * True when a kernel has nothing to compute (no boxes, or an empty x): its
 * result is then zeros, made without a dispatch by zerosTensor.
 */
export function nothingToCompute(inputs: RoIInputs): boolean {
  return inputs.boxes.shape[0] === 0 || sizeOf(inputs.x.shape) === 0;
}

/** A float32 tensor of zeros, written from the CPU without a dispatch. */
export function zerosTensor(backend: WebGPUBackend, shape: number[]): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', new Float32Array(sizeOf(shape)));
}

/**
 * The kernel function of a forward op: y from `run`, or zeros without a
 * dispatch when there is nothing to compute.
 */
export function forwardKernelFunc<A extends {pooledHeight: number, pooledWidth: number}>(
    kernelName: string,
    run: (backend: WebGPUBackend, kernelName: string, inputs: RoIInputs, attrs: A, output: 'value') =>
        TensorInfo): KernelFunc {
  const kernelFunc = ({inputs, backend, attrs}: {inputs: RoIInputs, backend: WebGPUBackend, attrs: A}) =>
      nothingToCompute(inputs) ? zerosTensor(backend, pooledShape(inputs, attrs)) :
                                 run(backend, kernelName, inputs, attrs, 'value');
  return kernelFunc as unknown as KernelFunc;
}

/**
 * The shape [K, outH, outW, outChannels] of y and dy: C, or C / (outH * outW)
 * for the position-sensitive ops.
 */
export function pooledShape(
    inputs: RoIInputs, attrs: {pooledHeight: number, pooledWidth: number},
    outChannels = inputs.x.shape[3]): number[] {
  return [inputs.boxes.shape[0], attrs.pooledHeight, attrs.pooledWidth, outChannels];
}

/**
 * Throws when a fixed sampling ratio exceeds MAX_SAMPLES_PER_BIN_AXIS
 * (src/limits.ts). The ops refuse it first; this keeps a direct kernel call
 * from dispatching a bin loop that could trip the GPU watchdog. The adaptive
 * grid caps itself in the shaders (roiGridSize).
 */
export function checkSamplingRatio(kernelName: string, attrs: {samplingRatio: number}): void {
  if (attrs.samplingRatio > MAX_SAMPLES_PER_BIN_AXIS) {
    throw new Error(`${kernelName} on webgpu: samplingRatio ${attrs.samplingRatio} exceeds the limit of ${
        MAX_SAMPLES_PER_BIN_AXIS} samples per bin and axis`);
  }
}
