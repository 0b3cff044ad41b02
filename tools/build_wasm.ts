/**
 * Builds the WebAssembly kernels of the "wasm-f64" and "wasm-f32" backends from
 * `src/kernels/wasm/*.c` with clang + lld (Debian: `apt-get install -y clang lld`) and
 * writes the bytes, base64-inlined, to `src/kernels/wasm/_wasm_bytes.ts`, so that the
 * backends load from a URL import with no file read.
 *
 *     deno task build:wasm            # rebuild and rewrite _wasm_bytes.ts
 *     deno run --allow-run=clang --allow-read=. tools/build_wasm.ts --check   # compare only
 *
 * clang 14 knows relaxed SIMD only as its prototype (`f32x4.fma`, opcode 0xfd 0xaf 0x01);
 * the relaxed float32 build renumbers those instructions to the standard
 * `f32x4.relaxed_madd` (0xfd 0x85 0x02, same length), whose operands `a·b + c` match how
 * the C source calls the builtin. The conformance tests check the result.
 *
 * @module
 */
import { encodeBase64 } from "./_base64.ts";

const DIR = new URL("../src/kernels/wasm/", import.meta.url);
const OUT = new URL("_wasm_bytes.ts", DIR);

/** Flags shared by every build: wasm32 + SIMD, one imported shared memory, no libc, no fused multiply-add. */
const FLAGS = [
  "--target=wasm32",
  "-O3",
  "-msimd128",
  "-matomics",
  "-mbulk-memory",
  "-ffp-contract=off",
  "-nostdlib",
  "-Wl,--no-entry",
  "-Wl,--import-memory",
  "-Wl,--shared-memory",
  "-Wl,--max-memory=1073741824",
  "-Wl,--export=__heap_base",
  "-Wl,--strip-all",
];

/** The bytes of the three modules and the compiler that built them. */
export interface WasmBuild {
  clang: string;
  f64: Uint8Array;
  f32: Uint8Array;
  f32Relaxed: Uint8Array;
}

/** The version line of the clang on PATH, or null when there is none. */
export async function clangVersion(): Promise<string | null> {
  try {
    const { success, stdout } = await new Deno.Command("clang", { args: ["--version"] }).output();
    return success ? new TextDecoder().decode(stdout).split("\n")[0].trim() : null;
  } catch {
    return null;
  }
}

/** How many `f32x4.fma` instructions clang's assembly listing of `source` holds. */
async function countFma(source: string, extra: string[]): Promise<number> {
  const cmd = new Deno.Command("clang", {
    args: [
      ...FLAGS.filter((f) => !f.startsWith("-Wl,")),
      ...extra,
      "-S",
      "-o",
      "/dev/stdout",
      new URL(source, DIR).pathname,
    ],
    stdout: "piped",
    stderr: "piped",
  });
  const { success, stdout, stderr } = await cmd.output();
  if (!success) throw new Error(`clang -S failed on ${source}: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout).split("\n").filter((l) => /^\s*f32x4\.fma\b/.test(l)).length;
}

async function compile(source: string, extra: string[]): Promise<Uint8Array> {
  // the module goes to stdout: no temporary file, so the check needs no permission outside the repository
  const cmd = new Deno.Command("clang", {
    args: [...FLAGS, ...extra, "-o", "/dev/stdout", new URL(source, DIR).pathname],
    stdout: "piped",
    stderr: "piped",
  });
  const { success, stdout, stderr } = await cmd.output();
  if (!success) throw new Error(`clang failed on ${source}: ${new TextDecoder().decode(stderr)}`);
  return stdout;
}

/** Reads an unsigned LEB128 at `at`; returns [value, next offset]. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0, shift = 0, b: number;
  do {
    b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [value, at];
}

/**
 * Renumbers clang 14's prototype `f32x4.fma` to `f32x4.relaxed_madd` inside the code section.
 * The search is by bytes, so `expected` (how many `f32x4.fma` clang's assembly listing has)
 * guards against a constant that happens to contain the same three bytes.
 */
export function renumberRelaxed(bytes: Uint8Array, expected?: number): Uint8Array {
  const out = bytes.slice();
  let at = 8, count = 0;
  while (at < out.length) {
    const id = out[at];
    const [size, body] = leb(out, at + 1);
    if (id === 10) {
      for (let q = body; q + 2 < body + size; q++) {
        if (out[q] === 0xfd && out[q + 1] === 0xaf && out[q + 2] === 0x01) {
          out[q + 1] = 0x85, out[q + 2] = 0x02;
          count++;
          q += 2;
        }
      }
    }
    at = body + size;
  }
  if (count === 0) throw new Error("Cannot build the relaxed float32 kernels: no f32x4.fma found");
  if (expected !== undefined && count !== expected) {
    throw new Error(
      `Cannot build the relaxed float32 kernels as the code must hold ${expected} f32x4.fma: found ${count} matches of its bytes`,
    );
  }
  return out;
}

/** Compiles the three modules. */
export async function buildWasm(): Promise<WasmBuild> {
  const clang = await clangVersion();
  if (clang === null) throw new Error("clang is not installed: apt-get install -y clang lld");
  return {
    clang,
    f64: await compile("kernels_f64.c", []),
    f32: await compile("kernels_f32.c", []),
    f32Relaxed: renumberRelaxed(
      await compile("kernels_f32.c", ["-DRELAXED", "-mrelaxed-simd"]),
      await countFma("kernels_f32.c", ["-DRELAXED", "-mrelaxed-simd"]),
    ),
  };
}

/** The text of `_wasm_bytes.ts` for a build. */
export function bytesModule(build: WasmBuild): string {
  const lines = (b: Uint8Array): string =>
    encodeBase64(b).match(/.{1,100}/g)!.map((l) => `  "${l}"`).join(",\n");
  return `// Generated by tools/build_wasm.ts (deno task build:wasm) from src/kernels/wasm/*.c: do not edit.
/** The compiler that built these bytes. */
export const CLANG_VERSION: string = ${JSON.stringify(build.clang)};
/** kernels_f64.c, base64. */
export const F64_WASM: string = [
${lines(build.f64)},
].join("");
/** kernels_f32.c, plain multiply-add, base64. */
export const F32_WASM: string = [
${lines(build.f32)},
].join("");
/** kernels_f32.c with relaxed-SIMD fused multiply-add, base64. */
export const F32_RELAXED_WASM: string = [
${lines(build.f32Relaxed)},
].join("");
`;
}

if (import.meta.main) {
  const text = bytesModule(await buildWasm());
  if (Deno.args.includes("--check")) {
    const same = (await Deno.readTextFile(OUT)) === text;
    console.log(
      same ? "_wasm_bytes.ts matches the source" : "_wasm_bytes.ts is stale: run deno task build:wasm",
    );
    if (!same) Deno.exit(1);
  } else {
    await Deno.writeTextFile(OUT, text);
    console.log(`wrote ${OUT.pathname}`);
  }
}
