/**
 * The invalid-sample policy of the forward stage, shared by `forwardSteps()` and the
 * sharded windows of `train({ workers })`: a sample is checked against the cell on the
 * calling thread, then either accepted in its canonical form, or counted and skipped, or
 * turned into the stream's error.
 *
 * @module
 */
import { checkReset } from "../cells/checks.ts";
import type { RecurrentCell } from "../cells/recurrent_cell.ts";
import type { GradSet, Input, ParamSet, Target } from "../cells/types.ts";
import { describe, Matrix } from "../math/matrix.ts";

/** A sample in the cell's canonical form. */
export interface CheckedSample {
  /** The input: n_x×m Matrix or m token indices. */
  x: Input;
  /** The target, or null for an unlabeled step (with `allowUnlabeled`). */
  y: Target | null;
  /** Per column, 1 to restart the state from zero; null for none. */
  reset: Uint8Array | null;
  /** Batch columns m. */
  m: number;
}

/** Options of {@linkcode SampleGate}. */
export interface SampleGateOptions {
  /** `"error"`: throw for an invalid sample; `"skip"`: count it and return null. */
  onInvalid: "error" | "skip";
  /** Called with each skipped sample's error; a throw here propagates. */
  onSkip?: (error: Error, sample: unknown, position: number) => void;
  /** Accept samples without `y`. */
  allowUnlabeled: boolean;
  /** Samples received before this gate (accepted and skipped), for the positions in messages. */
  startReceived: number;
  /** Skipped count to start from. */
  startSkipped: number;
}

/** Checks samples one by one and keeps the received and skipped counts of one subscription. */
export class SampleGate<P extends ParamSet, G extends GradSet, C> {
  /** Samples received so far, valid or not (across resumes). */
  received: number;
  /** Samples skipped as invalid so far (across resumes). */
  skipped: number;
  readonly #cell: RecurrentCell<P, G, C>;
  readonly #params: P;
  readonly #options: SampleGateOptions;

  constructor(cell: RecurrentCell<P, G, C>, params: P, options: SampleGateOptions) {
    this.#cell = cell;
    this.#params = params;
    this.#options = options;
    this.received = options.startReceived;
    this.skipped = options.startSkipped;
  }

  /**
   * The sample in canonical form, or null when it was invalid and skipped.
   *
   * @param sample What the source emitted.
   * @param m The batch columns when known (the carried state's), else null (taken from `x`).
   * @returns The checked sample, or null for a skipped one.
   * @throws {TypeError | RangeError} `"Invalid sample at step N: …"` with `onInvalid: "error"`; whatever `onSkip` throws.
   */
  admit(sample: unknown, m: number | null): CheckedSample | null {
    const at = this.received++;
    try {
      if (sample === null || typeof sample !== "object") {
        throw new TypeError(`a sample must be an object { x, y, reset? }: got ${describe(sample)}`);
      }
      const { x, y, reset } = sample as { x?: unknown; y?: unknown; reset?: unknown };
      const cols = m ?? columnsOf(x);
      return {
        x: this.#cell.input(x, this.#params, cols),
        y: this.#options.allowUnlabeled && (y === undefined || y === null)
          ? null
          : this.#cell.target(y, this.#params, cols),
        reset: checkReset(reset, cols),
        m: cols,
      };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const wrapped = new (error instanceof TypeError ? TypeError : RangeError)(
        `Invalid sample at step ${at}: ${error.message}`,
      );
      if (this.#options.onInvalid === "error") throw wrapped;
      this.skipped++;
      this.#options.onSkip?.(wrapped, sample, at);
      return null;
    }
  }
}

function columnsOf(x: unknown): number {
  if (x instanceof Matrix) return x.cols;
  if (Array.isArray(x) || ArrayBuffer.isView(x)) {
    const n = (x as ArrayLike<unknown>).length;
    if (n >= 1) return n;
  }
  throw new TypeError(`'x' must be a Matrix or a non-empty list of token indices: got ${describe(x)}`);
}
