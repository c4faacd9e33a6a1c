// Backend selection: the WebAssembly SIMD kernels where the runtime supports them, otherwise
// (or on request) the plain TypeScript reference kernels. Synchronous, so it works anywhere.
import type { Backend } from './kernels';
import { referenceBackend } from './kernels';
import { kernelModule, wasmBackend, wasmUnavailableReason } from './wasm/wasm-backend';

export type BackendName = 'wasm' | 'reference';

/** Whether the WebAssembly SIMD kernels can run here. */
export function wasmAvailable(): boolean {
  return kernelModule() !== null;
}

/** The named backend; by default wasm when available, else reference. Asking for wasm where it cannot run throws. */
export function getBackend(name?: BackendName): Backend {
  if (name === 'reference') return referenceBackend;
  if (name === 'wasm') {
    if (!wasmAvailable()) throw new Error(wasmUnavailableReason() ?? 'WebAssembly SIMD kernels unavailable');
    return wasmBackend;
  }
  if (name !== undefined) throw new Error(`unknown backend "${String(name)}" (expected wasm or reference)`);
  if (wasmAvailable()) return wasmBackend;
  if (!fallbackSaid) {
    fallbackSaid = true;
    console.warn(`nnlab: using the slower reference kernels: ${wasmUnavailableReason()}`);
  }
  return referenceBackend;
}

let fallbackSaid = false;
