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
export * from "./src/math/matrix.ts";
export * from "./src/math/random.ts";
export * from "./src/cells/rnn/params.ts";
export * from "./src/cells/rnn/cell.ts";
export * from "./src/cells/bptt.ts";
export * from "./src/cells/grad_check.ts";
export * from "./src/cells/recurrent_cell.ts";
export * from "./src/cells/rnn/rnn_cell.ts";
export * from "./src/cells/types.ts";
export * from "./src/kernels/mod.ts";
export * from "./src/optim/optimizers.ts";
export * from "./src/optim/clip.ts";
export * from "./src/stream/forward_steps.ts";
export * from "./src/stream/tbptt.ts";
export * from "./src/stream/apply_updates.ts";
export * from "./src/stream/train.ts";
export * from "./src/io/sources/feed_stats.ts";
export * from "./src/stream/pause_controller.ts";
export * from "./src/io/sources/split_lines.ts";
export * from "./src/io/sources/parse_ndjson.ts";
export * from "./src/io/sources/parse_csv.ts";
export * from "./src/io/sources/from_readable.ts";
export * from "./src/io/sources/from_stdin.ts";
export * from "./src/io/sources/from_file.ts";
export * from "./src/io/sources/backoff.ts";
export * from "./src/io/sources/from_http_lines.ts";
export * from "./src/io/sources/from_sse.ts";
export * from "./src/io/sources/from_web_socket.ts";
export * from "./src/io/sources/from_ingest.ts";
export * from "./src/stream/backpressure.ts";
export * from "./src/stream/immediate_scheduler.ts";
export * from "./src/online/normalizer.ts";
export * from "./src/online/metrics.ts";
export * from "./src/online/prequential.ts";
export * from "./src/io/text/vocab.ts";
export * from "./src/io/text/char_stream.ts";
export * from "./src/io/text/name_stream.ts";
export * from "./src/io/text/text_stream.ts";
export * from "./src/io/text/split.ts";
export * from "./src/io/datasets/names.ts";
export * from "./src/stream/sample_tokens.ts";
export * from "./src/cells/bits_per_char.ts";
export * from "./src/io/checkpoint/checkpoint.ts";
