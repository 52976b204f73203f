/**
 * The SIMD module's readable source, kernels/cpu/wasm_simd.wat, is what the
 * kernels run: wabt assembles it into exactly the bytes of
 * kernels/cpu/wasm_simd_bytes.ts, and that module is the generated text.
 * (The module's behaviour is test/cpu_simd.spec.ts's.)
 */
import {readFileSync} from 'fs';

import {WASM_SIMD_BYTES} from '../../kernels/cpu/wasm_simd_bytes';

interface WasmSimdSource {
  BYTES_MODULE_PATH: string;
  assembleSimdWat(): Promise<Uint8Array>;
  bytesModuleText(bytes: Uint8Array): string;
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const source = require('../../scripts/wasm_simd_source.cjs') as WasmSimdSource;

describe('the SIMD module and its .wat source', () => {
  it('assembling wasm_simd.wat gives exactly the shipped bytes', async () => {
    const assembled = await source.assembleSimdWat();
    expect(Array.from(WASM_SIMD_BYTES)).toEqual(Array.from(assembled));
  });

  it('wasm_simd_bytes.ts is the generated module (scripts/build_wasm.mjs)', () => {
    expect(readFileSync(source.BYTES_MODULE_PATH, 'utf8')).toBe(source.bytesModuleText(WASM_SIMD_BYTES));
  });

  it('the bytes are a valid WebAssembly SIMD module with the four loops', () => {
    expect(WebAssembly.validate(WASM_SIMD_BYTES)).toBe(true);
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(WASM_SIMD_BYTES)).map(e => e.name);
    expect(exports).toEqual(['binMax', 'weightedSum', 'scatterWeighted', 'pixelDots']);
  });
});
