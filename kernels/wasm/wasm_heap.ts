/**
 * How the wasm kernels meet @tensorflow/tfjs-backend-wasm's memory. That
 * backend keeps every tensor in its WebAssembly heap; its public
 * makeOutput(shape, dtype) allocates an output there and
 * typedArrayFromHeap(tensorInfo) views a tensor's bytes in place. So the
 * shared implementations read x, dy, boxes and boxIndices where they lie and
 * write the output straight into the tensor tfjs returns: no copy in or out.
 *
 * Described by shape here rather than imported, so that this package's types
 * and code never load tfjs-backend-wasm, an optional peer.
 */
import type {DataType, TensorInfo, TypedArray} from '@tensorflow/tfjs-core';

import type {RoIGradInputs, RoIInputs} from '../../src/kernel_names';
import type {RoIGradImplInputs, RoIImplInputs} from '../cpu/roi_impl_inputs';

/** The part of tfjs-backend-wasm's BackendWasm that the kernels use. */
export interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): TypedArray;
  disposeData(dataId: object, force?: boolean): boolean;
}

function heapValues(backend: WasmHeapBackend, inputs: RoIInputs): RoIImplInputs {
  return {
    x: backend.typedArrayFromHeap(inputs.x) as Float32Array,
    xShape: inputs.x.shape,
    boxes: backend.typedArrayFromHeap(inputs.boxes),
    boxIndices: backend.typedArrayFromHeap(inputs.boxIndices),
  };
}

function heapGradValues(backend: WasmHeapBackend, inputs: RoIGradInputs): RoIGradImplInputs {
  return {...heapValues(backend, inputs), dy: backend.typedArrayFromHeap(inputs.dy) as Float32Array};
}

function run<V, O extends Float32Array|Int32Array = Float32Array>(
    backend: WasmHeapBackend, shape: number[], read: () => V,
    impl: (values: V, out: O) => void, dtype: 'float32'|'int32' = 'float32'): TensorInfo {
  const output = backend.makeOutput(shape, dtype);
  try {
    // After makeOutput: its allocation may grow the heap, and a grown heap
    // has a new buffer, which leaves views made before it empty.
    impl(read(), backend.typedArrayFromHeap(output) as O);
  } catch (e) {
    backend.disposeData(output.dataId, true);
    throw e;
  }
  return output;
}

/** A forward kernel: impl reads the inputs and fills `out` (shape `shape`) in the heap. */
export function runOnHeap(
    backend: WasmHeapBackend, inputs: RoIInputs, shape: number[],
    impl: (values: RoIImplInputs, out: Float32Array) => void): TensorInfo {
  return run(backend, shape, () => heapValues(backend, inputs), impl);
}

/** As runOnHeap, for a kernel whose output is int32 (RoIAlignWinners). */
export function runOnHeapInt32(
    backend: WasmHeapBackend, inputs: RoIInputs, shape: number[],
    impl: (values: RoIImplInputs, out: Int32Array) => void): TensorInfo {
  return run(backend, shape, () => heapValues(backend, inputs), impl, 'int32');
}

/** A gradient kernel: as runOnHeap, with dy. */
export function runGradOnHeap(
    backend: WasmHeapBackend, inputs: RoIGradInputs, shape: number[],
    impl: (values: RoIGradImplInputs, out: Float32Array) => void): TensorInfo {
  return run(backend, shape, () => heapGradValues(backend, inputs), impl);
}
