/**
 * Output helpers of the CLI: writing to stdout, and a line of sampled text.
 *
 * @module
 */
import { DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import type { ParamSet } from "../cells/types.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import { sampleTokens } from "../stream/sample_tokens.ts";
import type { SampleTokensOptions } from "../stream/sample_tokens.ts";
import type { Vocab } from "../io/text/vocab.ts";

const encoder = new TextEncoder();

/** Writes text to stdout, synchronously (so lines and the progress line never interleave). */
export function out(text: string): void {
  const bytes = encoder.encode(text);
  let offset = 0;
  while (offset < bytes.length) offset += Deno.stdout.writeSync(bytes.subarray(offset));
}

/** Draws tokens synchronously from `sampleTokens()`. */
// deno-lint-ignore no-explicit-any
export function drawTokens(params: ParamSet, options: SampleTokensOptions<any, any, any>): number[] {
  const tokens: number[] = [];
  sampleTokens(params, options).subscribe((t) => tokens.push(t));
  return tokens;
}

/** `samples: emma, jos, …` (names: five names) or `sample: "…"` (a text: 80 characters), drawn with `seed` (by `cell`, default the vanilla RNN, on `backend`). */
export function sampleLine(
  params: ParamSet,
  data: { kind: "names" | "text"; vocab: Vocab },
  seed: number,
  backend: string = DEFAULT_BACKEND,
  cell?: RecurrentCell,
): string {
  const { vocab } = data;
  if (data.kind === "names") {
    const names = Array.from(
      { length: 6 },
      (_, i) =>
        vocab.decode(
          drawTokens(params, {
            prime: [vocab.boundary],
            stopToken: vocab.boundary,
            length: 24,
            seed: seed * 8 + i,
            backend,
            cell,
          }),
        ),
    );
    return `samples: ${names.map((n) => n === "" ? "(empty)" : n).join(", ")}`;
  }
  const text = vocab.decode(drawTokens(params, { prime: [vocab.boundary], length: 80, seed, backend, cell }));
  return `sample: ${JSON.stringify(text)}`;
}
