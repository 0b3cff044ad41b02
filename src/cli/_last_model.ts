/**
 * The last trained model: `train` writes the path of its checkpoint to a small pointer
 * file (`out/last.json`, no symlink), and `sample` and `eval` read that model unless told
 * otherwise.
 *
 * @module
 */
import { DEFAULTS } from "./_run_config.ts";

/** The pointer file, relative to the working directory. */
export const LAST_POINTER = "out/last.json";

/**
 * Remembers `checkpoint` as the last trained model. Returns false (and writes nothing)
 * when the run may not write the pointer file; other failures are thrown.
 */
export async function rememberCheckpoint(checkpoint: string, pointer = LAST_POINTER): Promise<boolean> {
  const dir = pointer.slice(0, Math.max(0, pointer.lastIndexOf("/")));
  for (const path of [pointer, `${pointer}.tmp`]) {
    const { state } = await Deno.permissions.query({ name: "write", path });
    if (state !== "granted") return false;
  }
  if (dir !== "") await Deno.mkdir(dir, { recursive: true });
  const absolute = checkpoint.startsWith("/") ? checkpoint : `${Deno.cwd()}/${checkpoint}`;
  const text = `${JSON.stringify({ checkpoint, absolute, written: new Date().toISOString() })}\n`;
  await Deno.writeTextFile(`${pointer}.tmp`, text);
  await Deno.rename(`${pointer}.tmp`, pointer);
  return true;
}

/**
 * The model `sample` and `eval` read: `given` when set, else the last trained model when
 * the pointer names a file that still exists, else the default checkpoint.
 */
export async function resolveCheckpoint(
  given: string | undefined,
  pointer = LAST_POINTER,
): Promise<{ path: string; from: "flag" | "last" | "default" }> {
  if (given !== undefined) return { path: given, from: "flag" };
  try {
    const { state } = await Deno.permissions.query({ name: "read", path: pointer });
    if (state === "granted") {
      const saved = JSON.parse(await Deno.readTextFile(pointer)) as {
        checkpoint?: unknown;
        absolute?: unknown;
      };
      for (const path of [saved.checkpoint, saved.absolute]) {
        if (typeof path === "string" && await exists(path)) return { path, from: "last" };
      }
    }
  } catch {
    // no pointer, or not one we can read: the default
  }
  return { path: DEFAULTS.checkpoint, from: "default" };
}

async function exists(path: string): Promise<boolean> {
  try {
    const { state } = await Deno.permissions.query({ name: "read", path });
    return state === "granted" && (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}
