/**
 * rxrnn — truncated backprop-through-time for vanilla RNNs over unbounded RxJS streams.
 *
 * The math is the document's cell, exact to float64 (checked against PyTorch autograd):
 *
 * | symbol | meaning | shape |
 * | --- | --- | --- |
 * | `x` | input at step t (or m token indices) | n_x×m |
 * | `a_prev`, `a` | hidden state before / after the step | n_a×m |
 * | `Wax`, `Waa`, `ba` | input, recurrent weights; hidden bias | n_a×n_x, n_a×n_a, n_a×1 |
 * | `Wya`, `by` | output weights and bias | n_y×n_a, n_y×1 |
 * | `z1` | `Waa·a_prev + Wax·x + ba` | n_a×m |
 * | `z2` | `Wya·a + by` | n_y×m |
 * | `ŷ` | `softmax(z2)` per column | n_y×m |
 * | `daNext`, `daPrev` | ∂L/∂a arriving from t+1, sent to t−1 | n_a×m |
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { bptt, gradCheck, initParams } from "./mod.ts";
 *
 * const params = initParams({ nx: 4, na: 6, ny: 4 }, { seed: 7 });
 * const xs = [[0], [1], [2]], ys = [[1], [2], [3]]; // token indices, batch of 1
 * const { loss, grads } = bptt(params, xs, ys);
 * assert(loss > 0 && grads.dWax.shape === "6x4");
 * assert(gradCheck(params, xs, ys).maxRelError < 1e-6);
 * ```
 *
 * @module
 */
export * from "./src/matrix.ts";
export * from "./src/random.ts";
export * from "./src/params.ts";
export * from "./src/cell.ts";
export * from "./src/bptt.ts";
export * from "./src/grad_check.ts";
export * from "./src/recurrent_cell.ts";
export * from "./src/optimizers.ts";
export * from "./src/clip.ts";
export * from "./src/forward_steps.ts";
export * from "./src/tbptt.ts";
export * from "./src/apply_updates.ts";
export * from "./src/train.ts";
export * from "./src/sources/feed_stats.ts";
export * from "./src/sources/pause_controller.ts";
export * from "./src/sources/split_lines.ts";
export * from "./src/sources/parse_ndjson.ts";
export * from "./src/sources/parse_csv.ts";
export * from "./src/sources/from_readable.ts";
export * from "./src/sources/from_stdin.ts";
export * from "./src/sources/from_file.ts";
export * from "./src/sources/backoff.ts";
export * from "./src/sources/from_http_lines.ts";
export * from "./src/sources/from_sse.ts";
export * from "./src/sources/from_web_socket.ts";
export * from "./src/sources/from_ingest.ts";
export * from "./src/backpressure.ts";
export * from "./src/immediate_scheduler.ts";
export * from "./src/normalizer.ts";
export * from "./src/metrics.ts";
export * from "./src/prequential.ts";
export * from "./src/text/vocab.ts";
export * from "./src/text/char_stream.ts";
export * from "./src/text/name_stream.ts";
export * from "./src/text/text_stream.ts";
export * from "./src/text/split.ts";
export * from "./src/datasets/names.ts";
export * from "./src/sample.ts";
export * from "./src/bits_per_char.ts";
export * from "./src/checkpoint.ts";
