/**
 * Assembles the SIMD module's source, kernels/cpu/wasm_simd.wat, with wabt
 * and writes its bytes as kernels/cpu/wasm_simd_bytes.ts. `--check` writes
 * nothing and fails if that module is not what the source gives.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';

const {BYTES_MODULE_PATH, assembleSimdWat, bytesModuleText} =
    createRequire(import.meta.url)('./wasm_simd_source.cjs');

const text = bytesModuleText(await assembleSimdWat());
if (process.argv.includes('--check')) {
  if (readFileSync(BYTES_MODULE_PATH, 'utf8') !== text) {
    console.error(`${BYTES_MODULE_PATH} is not the assembled kernels/cpu/wasm_simd.wat: run node scripts/build_wasm.mjs`);
    process.exit(1);
  }
} else {
  writeFileSync(BYTES_MODULE_PATH, text);
}
