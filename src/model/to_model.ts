/**
 * `toModel()`: the end of a training stream as a {@linkcode Model}, copying the
 * parameters once at completion instead of snapshotting every window.
 *
 * @module
 */
import { Observable } from "../deps.ts";
import type { OperatorFunction } from "../deps.ts";
import type { CellSpec } from "../cells/recurrent_cell.ts";
import type { ParamSet } from "../cells/types.ts";
import { createCell } from "../cells/create_cell.ts";
import { backendNames } from "../kernels/create_backend.ts";
import type { TrainConfig, TrainEvent } from "../stream/train.ts";
import { subscribeLinked } from "../stream/operate.ts";
import { Vocab } from "../io/text/vocab.ts";
import { Model } from "./model.ts";
import type { ModelOptions } from "./model.ts";

/** Options for {@linkcode toModel}: as the {@linkcode Model} constructor's (defaults: the run's). */
export type ToModelOptions = ModelOptions;

/**
 * Keeps the newest training event and, when the stream completes, emits one
 * {@linkcode Model} of the run: its cell, backend and optimizer settings, and a copy of the
 * parameters as they are at completion (for `train()`, those of the last window: a partial
 * window at the end is dropped). Use it where `last()` would be: the run's settings are
 * read once from the first event (one `snapshot()`), and the parameters are copied once.
 * An empty stream completes without a model; an error is forwarded and gives no model.
 * It keeps RxJS's contract: the source is subscribed through a linked inner observer.
 *
 * @typeParam P The cell's parameters.
 * @typeParam C The cell's step cache.
 * @param options Vocabulary, backend and `learnOne()` settings.
 * @returns An operator from training events to one model.
 * @throws {TypeError} When the vocabulary is malformed (at creation).
 *
 * @example Usage
 * ```ts
 * import { assert } from "@std/assert";
 * import { from, lastValueFrom } from "rxjs";
 * import { toModel } from "./to_model.ts";
 * import { train, Vocab } from "../../mod.ts";
 * const vocab = Vocab.fromText("abc");
 * const tokens = vocab.encode("abcabcabcabc");
 * const samples = Array.from(tokens.subarray(1), (y, i) => ({ x: [tokens[i]], y: [y] }));
 * const model = await lastValueFrom(
 *   from(samples).pipe(train({ sizes: { nx: 4, na: 8, ny: 4 }, k1: 5 }), toModel({ vocab })),
 * );
 * assert(model.generate({ prime: "a", length: 3 }).length === 3);
 * ```
 */
export function toModel<P extends ParamSet, C>(
  options: ToModelOptions = {},
): OperatorFunction<TrainEvent<P, C>, Model> {
  const vocab = options.vocab === undefined || options.vocab === null || options.vocab instanceof Vocab
    ? options.vocab
    : Vocab.fromData(options.vocab);
  return (source) =>
    new Observable<Model>((subscriber) => {
      // per subscription: the run's settings (read once) and the newest event
      let settings: { cell: CellSpec; backend: string; config: TrainConfig } | null = null;
      let latest: TrainEvent<P, C> | null = null;
      subscribeLinked(source, subscriber, {
        next(event) {
          if (settings === null) {
            const { cell, backend, config } = event.snapshot();
            settings = { cell, backend, config };
          }
          latest = event;
        },
        complete() {
          if (latest !== null && settings !== null) {
            const { cell, backend, config } = settings;
            const learning = { optimizer: config.optimizer, clip: config.clip, reduction: config.reduction };
            let model: Model;
            try {
              model = new Model(
                createCell(cell ?? { kind: "rnn", head: config.head }, "toModel()"),
                latest.params,
                {
                  vocab,
                  backend: options.backend ?? (backendNames().includes(backend) ? backend : "js"),
                  learning: { ...learning, ...options.learning },
                },
              );
            } catch (error) {
              subscriber.error(error);
              return;
            }
            latest = null;
            subscriber.next(model);
          }
          subscriber.complete();
        },
      });
      return () => {
        latest = null;
      };
    });
}
