/**
 * A tiny static file server for importing rxrnn by URL: serves a folder on 127.0.0.1 with
 * the content types Deno needs (`.ts` as `application/typescript`). Python's
 * `http.server` is not enough: it takes `.ts` types from the system's MIME table (here
 * `text/vnd.trolltech.linguist`, elsewhere `video/mp2t`), and Deno refuses the former.
 *
 * Run: deno run --allow-net=127.0.0.1 --allow-read=. tools/serve.ts [--port 8000] [--root .]
 *
 * @module
 */

/** Content types by file extension. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".ts": "application/typescript; charset=utf-8",
  ".js": "application/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".wasm": "application/wasm",
};

/** Options for {@linkcode serveFiles}. */
export interface ServeFilesOptions {
  /** The port; 0 picks a free one. @default {8000} */
  port?: number;
  /** The address to listen on. @default {"127.0.0.1"} */
  hostname?: string;
}

/**
 * Serves the files under `root` (GET only; anything else is a 404).
 *
 * @param root The folder, as a file URL ending in `/` or a path.
 * @param options Port and address.
 * @returns The running server (`await server.shutdown()` to stop it).
 */
export function serveFiles(
  root: URL | string,
  options: ServeFilesOptions = {},
): Deno.HttpServer<Deno.NetAddr> {
  const { port = 8000, hostname = "127.0.0.1" } = options;
  const base = typeof root === "string"
    ? new URL(`file://${Deno.realPathSync(root)}/`)
    : new URL(root.href.endsWith("/") ? root.href : `${root.href}/`);
  return Deno.serve({ hostname, port, onListen: () => {} }, async (request) => {
    // URL parsing has already resolved "." and ".." segments, so the path stays under root
    const path = decodeURIComponent(new URL(request.url).pathname);
    const ext = path.slice(path.lastIndexOf("."));
    try {
      const body = await Deno.readFile(new URL(`.${path}`, base));
      return new Response(body, {
        headers: { "content-type": CONTENT_TYPES[ext] ?? "application/octet-stream" },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

if (import.meta.main) {
  const args = Deno.args;
  const value = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const root = value("--root") ?? ".";
  const server = serveFiles(root, { port: Number(value("--port") ?? 8000) });
  console.log(`serving ${root} at http://127.0.0.1:${server.addr.port}/`);
}
