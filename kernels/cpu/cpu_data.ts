import type {TensorInfo, TypedArray} from '@tensorflow/tfjs-core';
import type {MathBackendCPU} from '@tensorflow/tfjs-backend-cpu';

import type {RoIGradInputs, RoIInputs} from '../../src/kernel_names';
import type {RoIGradImplInputs, RoIImplInputs} from './roi_impl_inputs';

/** The values of a tensor held by the cpu backend, without a copy. */
export function cpuValues(backend: MathBackendCPU, t: TensorInfo): TypedArray {
  return backend.data.get(t.dataId).values as TypedArray;
}

/**
 * A RoI kernel's inputs as the cpu backend holds them, without copies, for
 * the shared implementations. The ops have checked the dtypes: x (and dy)
 * are float32.
 */
export function roiValues(backend: MathBackendCPU, inputs: RoIInputs): RoIImplInputs {
  return {
    x: cpuValues(backend, inputs.x) as Float32Array,
    xShape: inputs.x.shape,
    boxes: cpuValues(backend, inputs.boxes),
    boxIndices: cpuValues(backend, inputs.boxIndices),
  };
}

/** roiValues and a gradient kernel's dy. */
export function roiGradValues(backend: MathBackendCPU, inputs: RoIGradInputs): RoIGradImplInputs {
  return {...roiValues(backend, inputs), dy: cpuValues(backend, inputs.dy) as Float32Array};
}
