/**
 * A trained model to hold and use: generate text, predict step by step with the state
 * carried, learn one sample at a time, and save or load it as a file, bytes or a URL.
 *
 * @module
 */
import type { Observable } from "../deps.ts";
import { map } from "../deps.ts";
import { createCell } from "../cells/create_cell.ts";
import type { CellSizes, RecurrentCell } from "../cells/recurrent_cell.ts";
import type { ParamSet } from "../cells/types.ts";
import type { Backend } from "../kernels/backend.ts";
import { backendNames, checkBackend, createBackend } from "../kernels/create_backend.ts";
import { cloneData } from "../math/clone_data.ts";
import { Matrix } from "../math/matrix.ts";
import type { ClipOptions } from "../optim/clip.ts";
import { createOptimizer } from "../optim/optimizers.ts";
import type { OptimizerOptions } from "../optim/optimizers.ts";
import { sampleTokens } from "../stream/sample_tokens.ts";
import type { TrainerSnapshot, TrainEvent } from "../stream/train.ts";
import {
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from "../io/checkpoint/checkpoint.ts";
import type { CheckpointData, LoadedCheckpoint } from "../io/checkpoint/checkpoint.ts";
import { Vocab } from "../io/text/vocab.ts";
import type { VocabData } from "../io/text/vocab.ts";
import { OneStepLearner } from "./_learner.ts";
import type { Learning } from "./_learner.ts";
import { toStep, toTarget } from "./_steps.ts";
import type { StepValue } from "./_steps.ts";

export type { StepValue } from "./_steps.ts";

/** How {@linkcode Model.learnOne} learns: the settings of `train({ k1: 1, k2 })`. */
export interface LearnOneOptions {
  /** The optimizer. @default {the training run's, else { type: "adam", learningRate: 0.002 }} */
  optimizer?: OptimizerOptions;
  /** Gradient clipping. @default {the training run's, else { norm: 5 }} */
  clip?: ClipOptions;
  /** Loss reduction. @default {the training run's, else "mean"} */
  reduction?: "sum" | "mean";
  /** Backprop depth in steps (k1 is 1). @default {1} */
  k2?: number;
}

/** Options of the {@linkcode Model} constructor and loaders. */
export interface ModelOptions {
  /** The characters of a character model (a checkpoint's vocabulary must equal it). @default {the checkpoint's, else null} */
  vocab?: Vocab | VocabData | null;
  /** The kernel backend's name. @default {the checkpoint's or run's when this build has it, else "js"} */
  backend?: string;
  /** The settings of {@linkcode Model.learnOne}. */
  learning?: LearnOneOptions;
}

/** Options of {@linkcode Model.generate} and {@linkcode Model.sample}. */
export interface GenerateOptions {
  /** Text fed first (after the boundary), not returned. @default {""} */
  prime?: string;
  /** The most characters to return. @default {200} */
  length?: number;
  /** Softmax temperature; lower is more conservative. @default {1} */
  temperature?: number;
  /** Seed of the draws (the same seed gives the same text). @default {0} */
  seed?: number;
  /** Take the most likely character instead of drawing. @default {false} */
  argmax?: boolean;
  /** Stop at the boundary character (the end of a name), which is not returned. @default {false} */
  stopAtBoundary?: boolean;
  /** Restart the state at each boundary, as a model trained on names expects. @default {false} */
  resetAtBoundary?: boolean;
}

/**
 * A recurrent model to hold after training: a cell, its own copy of the parameters, the
 * vocabulary of a character model, and a carried state.
 *
 * - `predict(x)` runs one step and carries the state; `predictSequence(xs)` runs many;
 *   `reset()` starts the state from zero again.
 * - `predictOne(x)` / `learnOne(x, y)` (River style): the prediction for `x` from the
 *   current state without changing anything, and one training step. `learnOne` is one
 *   window of `train({ k1: 1, k2 })` on the same stages, so a sequence of `learnOne`
 *   calls gives bit for bit the parameters of that `train()` run.
 * - `generate()` / `sample()`: text from a character model (they neither use nor change the state).
 * - `save(path)`, `toBytes()`; `Model.load(path)`, `Model.fromBytes(bytes)`, `Model.fromUrl(url)`;
 *   `Model.fromEvent(e)` and the `toModel()` operator after `train()`.
 *
 * @example Usage
 * ```ts
 * import { assert, assertEquals } from "@std/assert";
 * import { Model } from "./model.ts";
 * import { rnnCell, Vocab } from "../../mod.ts";
 * const vocab = Vocab.fromText("abc");
 * const cell = rnnCell();
 * const model = new Model(cell, cell.init({ nx: 4, na: 8, ny: 4 }, { seed: 1 }), { vocab });
 * const loss = model.learnOne(1, 2);
 * assert(loss > 0 && model.predict(1).shape === "4x1");
 * const again = await Model.fromBytes(await model.toBytes());
 * assertEquals(again.generate({ length: 5, seed: 3 }), model.generate({ length: 5, seed: 3 }));
 * ```
 */
export class Model {
  /** The cell. */
  readonly cell: RecurrentCell;
  /** The parameters: the model's own copy (`learnOne` changes them in place). */
  readonly params: ParamSet;
  /** The vocabulary of a character model, else null. */
  readonly vocab: Vocab | null;
  /** The kernel backend's name. */
  readonly backend: string;
  #learning: Learning;
  #kernels: Backend | null = null;
  #runtime: ReturnType<RecurrentCell["bind"]> | null = null;
  #caches: [unknown, unknown] | null = null;
  #cacheColumns = 0;
  #state: Matrix | null = null;
  #learner: OneStepLearner | null = null;

  /**
   * A model of these parameters (copied).
   *
   * @param cell The cell the parameters belong to.
   * @param params The parameters; the model keeps a copy.
   * @param options Vocabulary, backend and the settings of `learnOne()`.
   * @throws {RangeError} When the parameters do not fit the cell, the vocabulary's size is not n_x = n_y, or an option is out of range.
   * @throws {TypeError} When the parameters or the vocabulary are malformed.
   */
  // deno-lint-ignore no-explicit-any
  constructor(cell: RecurrentCell<any, any, any>, params: ParamSet, options: ModelOptions = {}) {
    const { vocab = null, backend = "js", learning = {} } = options;
    const sizes = cell.sizes(params);
    this.cell = cell as RecurrentCell;
    this.params = cloneData(params);
    this.vocab = vocab === null ? null : vocab instanceof Vocab ? vocab : Vocab.fromData(vocab);
    if (this.vocab !== null && (this.vocab.size !== sizes.nx || this.vocab.size !== sizes.ny)) {
      throw new RangeError(
        `Cannot create Model as the vocabulary's size must be n_x = n_y = ${sizes.nx}, ${sizes.ny}: current value is ${this.vocab.size}`,
      );
    }
    this.backend = checkBackend(backend, "Model");
    const { optimizer = { type: "adam" }, clip = { norm: 5 }, reduction = "mean", k2 = 1 } = learning;
    if (!Number.isInteger(k2) || k2 < 1) {
      throw new RangeError(
        `Cannot create Model as 'learning.k2' must be an integer >= 1: current value is ${k2}`,
      );
    }
    if (reduction !== "sum" && reduction !== "mean") {
      throw new RangeError(
        `Cannot create Model as 'learning.reduction' must be "sum" or "mean": current value is ${reduction}`,
      );
    }
    this.#learning = { optimizer: createOptimizer(optimizer).options, clip: { ...clip }, reduction, k2 };
  }

  /**
   * The model of a training event: `train()`'s parameters, cell, backend and optimizer
   * settings at that event (call it while handling the event). After a whole run, prefer
   * the {@linkcode toModel} operator, which copies the parameters once.
   *
   * @param event A `train()` event.
   * @param options Vocabulary, backend and `learnOne()` settings (default: the run's).
   * @returns A new model.
   * @throws {Error} When the stream has moved on past the event.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { from, take } from "rxjs";
   * import { Model } from "./model.ts";
   * import { train } from "../../mod.ts";
   * let model: Model | undefined;
   * from([0, 1, 2, 0].map((t) => ({ x: [t], y: [(t + 1) % 3] })))
   *   .pipe(train({ sizes: { nx: 3, na: 4, ny: 3 }, k1: 2 }), take(1))
   *   .subscribe((e) => model = Model.fromEvent(e));
   * assert(model!.cell.kind === "rnn");
   * ```
   */
  // deno-lint-ignore no-explicit-any
  static fromEvent(event: TrainEvent<any, any>, options: ModelOptions = {}): Model {
    return Model.fromSnapshot(event.snapshot(), options);
  }

  /**
   * The model of a trainer snapshot (`e.snapshot()` or a checkpoint's trainer).
   *
   * @param snapshot The snapshot.
   * @param options Vocabulary, backend and `learnOne()` settings (default: the run's).
   * @returns A new model with a copy of the snapshot's parameters.
   * @throws {RangeError} When the snapshot's cell kind is unknown or its parameters do not fit it.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { from } from "rxjs";
   * import { Model } from "./model.ts";
   * import { train } from "../../mod.ts";
   * import type { TrainerSnapshot } from "../../mod.ts";
   * let snapshot: TrainerSnapshot | undefined;
   * from([0, 1, 2, 0].map((t) => ({ x: [t], y: [(t + 1) % 3] })))
   *   .pipe(train({ sizes: { nx: 3, na: 4, ny: 3 }, k1: 2 }))
   *   .subscribe((e) => snapshot = e.snapshot());
   * assert(Model.fromSnapshot(snapshot!).params.Wax.data[0] === snapshot!.params.Wax.data[0]);
   * ```
   */
  // deno-lint-ignore no-explicit-any
  static fromSnapshot(snapshot: TrainerSnapshot<any, any>, options: ModelOptions = {}): Model {
    const { config } = snapshot;
    const cell = createCell(snapshot.cell ?? { kind: "rnn", head: config.head }, "Model");
    const backend = options.backend ?? usable(snapshot.backend);
    const learning = { optimizer: config.optimizer, clip: config.clip, reduction: config.reduction };
    return new Model(cell, snapshot.params, {
      ...options,
      backend,
      learning: { ...learning, ...options.learning },
    });
  }

  /**
   * Loads a model from a checkpoint file (`main.ts train`'s, the live trainer's or `save()`'s).
   *
   * @param path The file.
   * @param options The vocabulary expected, backend and `learnOne()` settings.
   * @returns A promise of the model.
   * @throws {CheckpointError} When the file cannot be used or holds no parameters.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { CheckpointError } from "../../mod.ts";
   * const error = await Model.load("no/such.ckpt").catch((e) => e);
   * assert(error instanceof CheckpointError);
   * ```
   */
  static async load(path: string, options: ModelOptions = {}): Promise<Model> {
    return fromCheckpoint(await loadCheckpoint(path, expectOf(options)), `"${path}"`, options);
  }

  /**
   * A model from checkpoint bytes (as {@linkcode Model.toBytes} or a checkpoint file holds them).
   *
   * @param bytes The bytes.
   * @param options The vocabulary expected, backend and `learnOne()` settings.
   * @returns A promise of the model.
   * @throws {CheckpointError} When the bytes cannot be used or hold no parameters.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { CheckpointError } from "../../mod.ts";
   * const error = await Model.fromBytes(new Uint8Array(3)).catch((e) => e);
   * assert(error instanceof CheckpointError);
   * ```
   */
  static async fromBytes(bytes: Uint8Array, options: ModelOptions = {}): Promise<Model> {
    return fromCheckpoint(await decodeCheckpoint(bytes, expectOf(options)), "(bytes)", options);
  }

  /**
   * Fetches a checkpoint and loads it (needs `--allow-net` for the host).
   *
   * @param url Where the checkpoint file is served.
   * @param options The vocabulary expected, backend and `learnOne()` settings.
   * @returns A promise of the model.
   * @throws {CheckpointError} When the response is not 2xx or the bytes cannot be used.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { CheckpointError } from "../../mod.ts";
   * const error = await Model.fromUrl("data:text/plain,hello").catch((e) => e);
   * assert(error instanceof CheckpointError && /not an rxrnn checkpoint/.test(error.message));
   * ```
   */
  static async fromUrl(url: string | URL, options: ModelOptions = {}): Promise<Model> {
    const name = `"${String(url)}"`;
    let bytes: Uint8Array;
    try {
      const response = await fetch(url);
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
      }
      bytes = new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw new CheckpointError(`Cannot load checkpoint ${name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return fromCheckpoint(await decodeCheckpoint(bytes, expectOf(options), name), name, options);
  }

  /** The sizes the cell reads off the parameters. */
  get sizes(): CellSizes {
    return this.cell.sizes(this.params);
  }

  /** A copy of the carried state (`sizes.state`×m), or null after `reset()` and before the first step. */
  get state(): Matrix | null {
    return this.#state?.clone() ?? null;
  }

  /** Accepted `learnOne()` updates so far. */
  get updates(): number {
    return this.#learner?.updates ?? 0;
  }

  /**
   * Starts the carried state from zero again (for `predict` and `learnOne`).
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { rnnCell } from "../../mod.ts";
   * const model = new Model(rnnCell(), rnnCell().init({ nx: 3, na: 4, ny: 3 }));
   * const first = model.predict(1).data[0];
   * model.predict(2);
   * model.reset();
   * assert(model.predict(1).data[0] === first);
   * ```
   */
  reset(): void {
    this.#state = null;
    this.#learner?.close();
  }

  /**
   * Runs one step from the carried state and carries the new state.
   *
   * @param x A token, one token per column, a `Float64Array` feature vector, or an n_x×m Matrix.
   * @returns ŷ (n_y×m), a fresh matrix: probabilities for the softmax head, values for the linear one.
   * @throws {RangeError} When `x` does not fit the model, or its columns differ from the state's (call `reset()`).
   * @throws {TypeError} When `x` has the wrong type.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { rnnCell } from "../../mod.ts";
   * const model = new Model(rnnCell(), rnnCell().init({ nx: 3, na: 4, ny: 3 }));
   * const y = model.predict(2);
   * assert(Math.abs(y.data.reduce((a, b) => a + b) - 1) < 1e-12);
   * ```
   */
  predict(x: StepValue): Matrix {
    const cache = this.#forward(x);
    this.#state = this.cell.stateOf(cache).clone();
    this.#learner?.close();
    return this.cell.outputOf(cache).clone();
  }

  /**
   * Runs a sequence from the carried state, carrying it (a string is read with the vocabulary).
   *
   * @param xs The steps, or a text for a character model.
   * @returns ŷ of each step.
   * @throws {RangeError} As {@linkcode Model.predict}, or when a character is not in the vocabulary.
   * @throws {TypeError} When a text is given to a model without a vocabulary.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { rnnCell, Vocab } from "../../mod.ts";
   * const vocab = Vocab.fromText("ab");
   * const model = new Model(rnnCell(), rnnCell().init({ nx: 3, na: 4, ny: 3 }), { vocab });
   * assert(model.predictSequence("abba").length === 4);
   * ```
   */
  predictSequence(xs: Iterable<StepValue> | string): Matrix[] {
    const steps: Iterable<StepValue> = typeof xs === "string"
      ? this.#vocabOf("predictSequence()").encode(xs)
      : xs;
    const out: Matrix[] = [];
    for (const x of steps) out.push(this.predict(x));
    return out;
  }

  /**
   * River's `predict_one`: ŷ for `x` from the carried state, changing nothing (a
   * `learnOne(x, y)` after it runs the same forward step).
   *
   * @param x As {@linkcode Model.predict}.
   * @returns ŷ (n_y×m), a fresh matrix.
   * @throws {RangeError} As {@linkcode Model.predict}.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { rnnCell } from "../../mod.ts";
   * const model = new Model(rnnCell(), rnnCell().init({ nx: 3, na: 4, ny: 3 }));
   * assert(model.predictOne(1).data[0] === model.predictOne(1).data[0] && model.state === null);
   * ```
   */
  predictOne(x: StepValue): Matrix {
    return this.cell.outputOf(this.#forward(x)).clone();
  }

  /**
   * River's `learn_one`: one training step on (x, y) from the carried state, which moves
   * on. It is one window of `train({ k1: 1, k2 })` on the same stages (forwardSteps →
   * tbptt → applyUpdates) with the model's optimizer state, so calls over a sequence
   * give bit for bit the parameters of `train()` over it with the same settings and
   * a zero start. `predict`/`reset` in between cut the backprop history. On an error
   * nothing changes.
   *
   * @param x As {@linkcode Model.predict}.
   * @param y The target: a class per column, or values (a `Float64Array` or a Matrix) for the linear head.
   * @returns The step's loss, summed over columns.
   * @throws {RangeError} When `x` or `y` does not fit the model.
   * @throws {TypeError} When `x` or `y` has the wrong type.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { rnnCell } from "../../mod.ts";
   * const model = new Model(rnnCell(), rnnCell().init({ nx: 3, na: 4, ny: 3 }), { learning: { optimizer: { type: "sgd", learningRate: 0.5 } } });
   * const before = model.predictOne(0).data[1];
   * for (let i = 0; i < 20; i++) { model.learnOne(0, 1); model.reset(); }
   * assert(model.predictOne(0).data[1] > before && model.updates === 20);
   * ```
   */
  learnOne(x: StepValue, y: StepValue): number {
    const { nx, ny, state } = this.sizes;
    const step = toStep(x, nx, "x");
    const target = toTarget(y, ny, step.m);
    if (this.#state !== null && this.#state.cols !== step.m) {
      throw new RangeError(
        `Cannot learnOne() as 'x' must have the state's ${this.#state.cols} columns (or reset() first): current value has ${step.m}`,
      );
    }
    this.#learner ??= new OneStepLearner(this.cell, this.params, this.#backendObject(), this.#learning);
    const result = this.#learner.step(step.value, target, this.#state);
    if (result.state.rows !== state) {
      throw new RangeError(`Cannot learnOne(): the state has ${result.state.rows} rows`);
    }
    this.#state = result.state;
    return result.loss;
  }

  /**
   * Characters drawn from a character model, as an Observable (cold: each subscription
   * starts over; synchronous; `take(n)` stops the cell).
   *
   * @param options Prime, length, temperature, seed and boundary handling.
   * @returns An Observable of single characters.
   * @throws {TypeError} When the model has no vocabulary.
   * @throws {RangeError} When an option is out of range or the prime has a character not in the vocabulary.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { lastValueFrom, toArray } from "rxjs";
   * import { Model } from "./model.ts";
   * import { rnnCell, Vocab } from "../../mod.ts";
   * const model = new Model(rnnCell(), rnnCell().init({ nx: 3, na: 4, ny: 3 }), { vocab: Vocab.fromText("ab") });
   * assert((await lastValueFrom(model.sample({ length: 4 }).pipe(toArray()))).length === 4);
   * ```
   */
  sample(options: GenerateOptions = {}): Observable<string> {
    const vocab = this.#vocabOf("sample()");
    const {
      prime = "",
      length = 200,
      temperature = 1,
      seed = 0,
      argmax = false,
      stopAtBoundary = false,
      resetAtBoundary = false,
    } = options;
    if (typeof prime !== "string") {
      throw new TypeError(`Cannot sample() as 'prime' must be a string: got ${typeof prime}`);
    }
    const tokens = sampleTokens(this.params, {
      cell: this.cell,
      backend: this.backend,
      prime: [vocab.boundary, ...vocab.encode(prime)],
      length,
      temperature,
      seed,
      argmax,
      stopToken: stopAtBoundary ? vocab.boundary : undefined,
      resetToken: resetAtBoundary ? vocab.boundary : undefined,
    });
    return tokens.pipe(map((t) => vocab.chars[t]));
  }

  /**
   * Text drawn from a character model: {@linkcode Model.sample} joined.
   *
   * @param options Prime, length, temperature, seed and boundary handling.
   * @returns The characters drawn after the prime.
   * @throws {TypeError} When the model has no vocabulary.
   * @throws {RangeError} When an option is out of range or the prime has a character not in the vocabulary.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { rnnCell, Vocab } from "../../mod.ts";
   * const model = new Model(rnnCell(), rnnCell().init({ nx: 3, na: 4, ny: 3 }), { vocab: Vocab.fromText("ab") });
   * assert(model.generate({ prime: "ab", length: 7, seed: 1 }).length === 7);
   * ```
   */
  generate(options: GenerateOptions = {}): string {
    let text = "";
    this.sample(options).subscribe((ch) => text += ch);
    return text;
  }

  /**
   * The model as checkpoint bytes (format v2: cell, backend, vocabulary and parameters;
   * no trainer state), readable by {@linkcode Model.fromBytes} and `loadCheckpoint()`.
   *
   * @returns A promise of the bytes.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { rnnCell } from "../../mod.ts";
   * const model = new Model(rnnCell(), rnnCell().init({ nx: 3, na: 4, ny: 3 }));
   * const bytes = await model.toBytes();
   * assert(new TextDecoder().decode(bytes.subarray(0, 18)) === "rxrnn-checkpoint 2");
   * ```
   */
  toBytes(): Promise<Uint8Array> {
    return encodeCheckpoint(this.#data());
  }

  /**
   * Writes the model to a checkpoint file, atomically (as `saveCheckpoint()`).
   *
   * @param path The file.
   * @returns A promise of the number of bytes written.
   * @throws {CheckpointError} When the file cannot be written.
   *
   * @example Usage
   * ```ts
   * import { assert } from "@std/assert";
   * import { Model } from "./model.ts";
   * import { rnnCell } from "../../mod.ts";
   * const model = new Model(rnnCell(), rnnCell().init({ nx: 3, na: 4, ny: 3 }));
   * const path = await Deno.makeTempFile({ dir: await Deno.mkdir(".tmp", { recursive: true }).then(() => ".tmp") });
   * assert(await model.save(path) > 0 && (await Model.load(path)).sizes.na === 4);
   * await Deno.remove(path);
   * ```
   */
  save(path: string): Promise<number> {
    return saveCheckpoint(path, this.#data());
  }

  #data(): CheckpointData {
    const { nx, na, ny } = this.sizes;
    return {
      cell: this.cell,
      backend: this.backend,
      config: { sizes: { nx, na, ny }, streams: this.#state?.cols ?? 1, seed: 0, learning: this.#learning },
      vocab: this.vocab?.toData() ?? null,
      params: this.params,
    };
  }

  #vocabOf(fn: string): Vocab {
    if (this.vocab === null) {
      throw new TypeError(`Cannot ${fn} as the model has no vocabulary: pass 'vocab' when creating it`);
    }
    return this.vocab;
  }

  #backendObject(): Backend {
    return this.#kernels ??= createBackend(this.backend, "Model");
  }

  /** One forward step of `x` from the carried state into the spare cache, which it returns. */
  #forward(x: StepValue): unknown {
    const { nx, state } = this.sizes;
    const step = toStep(x, nx, "x");
    if (this.#state !== null && this.#state.cols !== step.m) {
      throw new RangeError(
        `Cannot predict() as 'x' must have the state's ${this.#state.cols} columns (or reset() first): current value has ${step.m}`,
      );
    }
    const input = this.cell.input(step.value, this.params, step.m);
    this.#runtime ??= this.cell.bind(this.#backendObject());
    if (this.#caches === null || this.#cacheColumns !== step.m) {
      this.#caches = [
        this.#runtime.allocCache(this.params, step.m),
        this.#runtime.allocCache(this.params, step.m),
      ];
      this.#cacheColumns = step.m;
    }
    // two caches in turn: the returned one stays readable until the next step
    const [spare, other] = this.#caches;
    this.#caches = [other, spare];
    const prev = this.#state ?? Matrix.zeros(state, step.m);
    this.#runtime.forward(this.params, input, prev, null, spare);
    return spare;
  }
}

/** A checkpoint's backend when this build has it, else "js". */
function usable(backend: string | undefined): string {
  return backend !== undefined && backendNames().includes(backend) ? backend : "js";
}

function expectOf(options: ModelOptions) {
  return options.vocab === undefined || options.vocab === null ? {} : { vocab: options.vocab };
}

function fromCheckpoint(loaded: LoadedCheckpoint, name: string, options: ModelOptions): Model {
  const params = loaded.params ?? loaded.trainer?.params ?? null;
  if (params === null) {
    throw new CheckpointError(`Cannot load a model from checkpoint ${name}: it holds no parameters`);
  }
  const config = loaded.trainer?.config;
  // a model's own file keeps its learnOne() settings; a training run's, its optimizer and clipping
  const saved = loaded.config.learning as LearnOneOptions | undefined;
  const learning = saved ??
    (config === undefined
      ? {}
      : { optimizer: config.optimizer, clip: config.clip, reduction: config.reduction });
  return new Model(loaded.cell, params, {
    vocab: options.vocab ?? loaded.vocab,
    backend: options.backend ?? usable(loaded.backend),
    learning: { ...learning, ...options.learning },
  });
}
