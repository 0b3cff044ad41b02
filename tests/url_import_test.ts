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

const ROOT = new URL("../", import.meta.url);
const TYPES: Record<string, string> = {
  ".ts": "application/typescript; charset=utf-8",
  ".js": "application/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
};

/** A static file server for the repository, on 127.0.0.1 and a free port. */
function serveRepo(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    // URL parsing has already resolved any "." and ".." segments, so this stays under ROOT
    const path = decodeURIComponent(new URL(request.url).pathname);
    const ext = path.slice(path.lastIndexOf("."));
    try {
      const body = await Deno.readFile(new URL(`.${path}`, ROOT));
      return new Response(body, { headers: { "content-type": TYPES[ext] ?? "text/plain; charset=utf-8" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

async function denoIn(dir: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: dir,
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
