/**
 * rxrnn imported by URL, from a folder with no deno.json: every specifier is complete
 * (`npm:rxjs@^7.8.2`, the library's own URL), so this file runs anywhere. Serve the
 * repository with the right content types first, then run this file from any folder:
 *
 *   deno run --allow-net=127.0.0.1 --allow-read=. tools/serve.ts --port 8000
 *   deno run --allow-import=127.0.0.1:8000 examples/url_import.ts http://127.0.0.1:8000/
 *
 * Importing mod.ts downloads rxjs and nothing else from npm.
 */
import { lastValueFrom } from "npm:rxjs@^7.8.2";

const base = Deno.args[0] ?? "http://127.0.0.1:8000/";
const { charSamples, TextStream, toModel, train, Vocab } = await import(new URL("mod.ts", base).href);

const text = "to be or not to be, that is the question. ".repeat(30);
const vocab = Vocab.fromText(text);
const samples = charSamples(new TextStream(vocab.encode(text)), { limit: 4000 });
const model: { generate(options: object): string } = await lastValueFrom(
  samples.pipe(train({ sizes: { nx: vocab.size, na: 24, ny: vocab.size }, k1: 20 }), toModel({ vocab })),
);
console.log(model.generate({ prime: "to be", length: 40, temperature: 0.5, seed: 1 }));
