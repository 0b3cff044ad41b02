/** A scratch directory under the repo's git-ignored `.tmp/` (tests may read only inside "."), removed by `dispose`. */
export async function tmpDir(): Promise<{ path: string; dispose: () => Promise<void> }> {
  await Deno.mkdir(".tmp", { recursive: true });
  const path = await Deno.makeTempDir({ dir: ".tmp" });
  return { path, dispose: () => Deno.remove(path, { recursive: true }) };
}

/** Runs `fn` in a fresh {@linkcode tmpDir}, and removes the directory afterwards, also when `fn` throws. */
export async function withTmpDir<T>(fn: (dir: { path: string }) => Promise<T>): Promise<T> {
  const dir = await tmpDir();
  try {
    return await fn(dir);
  } finally {
    await dir.dispose();
  }
}
