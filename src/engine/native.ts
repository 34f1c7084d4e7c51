/**
 * Optional native matmul kernels for the wasm backend (issue: speed). Owned by the native-kernels work;
 * until the addon lands this registers nothing and the plain wasm kernels run.
 */
export function registerNativeKernels(): boolean {
  return false;
}
