/**
 * The architecture, checked: every file of `src/` imports only from its own layer or a
 * lower one (math → kernels → cells → optim → stream → online → io → model → cli), and never a
 * `_private.ts` file of another folder.
 */
import { assertEquals } from "@std/assert";

const ROOT = new URL("../src/", import.meta.url);
const LAYERS = ["math", "kernels", "cells", "optim", "stream", "online", "io", "model", "cli"];

function rankOf(path: string): number {
  const top = path.split("/")[0];
  return top === "deps.ts" ? -1 : LAYERS.indexOf(top);
}

async function* sourceFiles(dir: URL, prefix = ""): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) yield* sourceFiles(new URL(`${entry.name}/`, dir), `${path}/`);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

function importsOf(text: string): string[] {
  // static imports and re-exports only (JSDoc examples sit behind " * " and are skipped)
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)[^"';]*?from\s+["']([^"']+)["']/gm)) out.push(m[1]);
  for (const m of text.matchAll(/^import\s+["']([^"']+)["']/gm)) out.push(m[1]);
  return out.filter((s) => s.startsWith("."));
}

function resolve(from: string, spec: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const piece of spec.split("/")) {
    if (piece === "..") parts.pop();
    else if (piece !== ".") parts.push(piece);
  }
  return parts.join("/");
}

Deno.test("src/ files import only from their own layer or a lower one, and no other folder's _private files", async () => {
  const upward: string[] = [], privateReach: string[] = [];
  for await (const file of sourceFiles(ROOT)) {
    const text = await Deno.readTextFile(new URL(file, ROOT));
    for (const spec of importsOf(text)) {
      const target = resolve(file, spec);
      if (target.startsWith("..")) continue; // outside src/ (none expected)
      if (rankOf(target) > rankOf(file)) upward.push(`${file} → ${target}`);
      const name = target.split("/").pop()!;
      const sameFolder = target.split("/").slice(0, -1).join("/") === file.split("/").slice(0, -1).join("/");
      if (name.startsWith("_") && !sameFolder) privateReach.push(`${file} → ${target}`);
    }
  }
  assertEquals(upward, [], "imports from a higher layer");
  assertEquals(privateReach, [], "imports of another folder's private files");
});
