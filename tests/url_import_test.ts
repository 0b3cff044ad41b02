/**
 * mod.ts must work when imported by URL from a folder that has no deno.json: the
 * library's import map does not apply there, so every bare specifier must already be
 * resolved in the source (rxjs comes in through src/deps.ts as `npm:rxjs@…`).
 *
 * The test serves the working tree over http on 127.0.0.1, writes a script into a fresh
 * temp folder and runs it with `deno run --no-config` in a subprocess.
 */
import { assert, assertEquals } from "@std/assert";
import { bptt, initParams } from "../mod.ts";
import { serveFiles } from "../tools/serve.ts";
import { tmpDir } from "./_tmp_dir.ts";

const ROOT = new URL("../", import.meta.url);

function serveRepo(): Deno.HttpServer<Deno.NetAddr> {
  return serveFiles(ROOT, { port: 0 });
}

async function denoIn(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: dir,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("mod.ts imported by URL from a folder without deno.json runs and type-checks", async (t) => {
  const server = serveRepo();
  // under the repo's .tmp/ (the tests may write nowhere else); --no-config keeps deno.json out of it
  await Deno.mkdir(".tmp", { recursive: true });
  const dir = await Deno.makeTempDir({ dir: ".tmp", prefix: "rxrnn_url_import_" });
  try {
    const host = `127.0.0.1:${server.addr.port}`;
    const script = [
      `import { bptt, initParams } from "http://${host}/mod.ts";`,
      `const params = initParams({ nx: 4, na: 5, ny: 4 }, { seed: 1 });`,
      `const { loss } = bptt(params, [[0], [1], [2], [3]], [[1], [2], [3], [0]]);`,
      "console.log(`loss=${loss}`);",
    ].join("\n");
    await Deno.writeTextFile(`${dir}/main.ts`, script);
    await t.step("deno run prints the loss bptt() gives locally", async () => {
      const { code, out, err } = await denoIn(dir, [
        "run",
        "--no-config",
        `--allow-import=${host}`,
        "main.ts",
      ]);
      assertEquals(code, 0, `deno run failed:\n${err}`);
      const match = out.match(/^loss=(\S+)$/m);
      assert(match !== null, `no loss printed:\n${out}\n${err}`);
      const loss = Number(match[1]);
      assert(Number.isFinite(loss) && loss > 0, `loss is ${match[1]}`);
      const local = bptt(initParams({ nx: 4, na: 5, ny: 4 }, { seed: 1 }), [[0], [1], [2], [3]], [[1], [2], [
        3,
      ], [0]]);
      assertEquals(loss, local.loss);
    });
    await t.step("deno check --all type-checks the whole remote graph, rxjs included", async () => {
      const { code, err } = await denoIn(dir, [
        "check",
        "--no-config",
        "--all",
        `--allow-import=${host}`,
        "main.ts",
      ]);
      assertEquals(code, 0, `deno check --all failed:\n${err}`);
    });
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

/** The npm packages a DENO_DIR holds (`npm/registry.npmjs.org/<name>/<version>`). */
async function npmPackages(denoDir: string): Promise<string[]> {
  const out: string[] = [];
  const registry = `${denoDir}/npm/registry.npmjs.org`;
  try {
    for await (const entry of Deno.readDir(registry)) {
      if (!entry.isDirectory) continue;
      if (entry.name.startsWith("@")) {
        for await (const inner of Deno.readDir(`${registry}/${entry.name}`)) {
          out.push(`${entry.name}/${inner.name}`);
        }
      } else out.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort();
}

Deno.test("mod.ts by URL fetches only rxjs (and its tslib) from npm, and the examples run from a bare folder", async (t) => {
  const server = serveRepo();
  // under the repo's .tmp/ (the test may read only inside "."); --no-config keeps deno.json out
  const scratch = await tmpDir();
  const dir = await Deno.realPath(scratch.path);
  try {
    const host = `127.0.0.1:${server.addr.port}`;
    const base = `http://${host}/`;
    await Deno.writeTextFile(
      `${dir}/main.ts`,
      `import { Vocab } from "${base}mod.ts";\nconsole.log(Vocab.fromText("ab").size);\n`,
    );
    await t.step("a fresh DENO_DIR holds only rxjs and tslib after importing mod.ts", async () => {
      const denoDir = `${dir}/deno_dir_mod`;
      const { code, out, err } = await denoIn(dir, [
        "run",
        "--no-config",
        `--allow-import=${host}`,
        "main.ts",
      ], {
        DENO_DIR: denoDir,
      });
      assertEquals(code, 0, `deno run failed:\n${err}`);
      assertEquals(out.trim(), "3");
      const packages = await npmPackages(denoDir);
      assert(packages.includes("rxjs"), `rxjs not fetched: ${packages}`);
      assertEquals(
        packages.filter((p) => p !== "rxjs" && p !== "tslib"),
        [],
        `other npm packages: ${packages}`,
      );
    });
    await t.step("examples/url_import.ts runs from the bare folder with only --allow-import", async () => {
      await Deno.copyFile(new URL("examples/url_import.ts", ROOT), `${dir}/url_import.ts`);
      const denoDir = `${dir}/deno_dir_example`;
      const { code, out, err } = await denoIn(
        dir,
        ["run", "--no-config", `--allow-import=${host}`, "url_import.ts", base],
        { DENO_DIR: denoDir },
      );
      assertEquals(code, 0, `deno run failed:\n${err}`);
      assertEquals(out.replace(/\n$/, "").length, 40, out);
      assertEquals((await npmPackages(denoDir)).filter((p) => p !== "rxjs" && p !== "tslib"), []);
    });
  } finally {
    await server.shutdown();
    await scratch.dispose();
  }
});
