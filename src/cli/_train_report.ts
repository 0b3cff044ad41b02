/**
 * What `train` tells: human lines and the live progress line (with a sparkline of the
 * loss), nothing with `--quiet`, or one JSON object per line with `--json`; and the
 * points sent to `--dashboard` and `--log`.
 *
 * @module
 */
import type { Dashboard } from "./dashboard/dashboard_server.ts";
import type { MetricsLog } from "./dashboard/metrics_log.ts";
import { TrainRecorder } from "./dashboard/train_recorder.ts";
import type { TrainWindow } from "./dashboard/train_recorder.ts";
import { Progress } from "./_progress.ts";

/** Options of {@linkcode TrainReport}. */
export interface TrainReportOptions {
  /** `human` lines, `quiet` (nothing but errors) or `json` (one object per line). */
  mode: "human" | "quiet" | "json";
  /** Writes text to stdout. */
  write: (text: string) => void;
  /** Whether stdout is a terminal (the progress line is redrawn in place). */
  terminal: boolean;
  /** Seconds between progress lines when not on a terminal (and between JSON progress events). */
  logEvery: number;
  /** The dashboard, when `--dashboard` is given. */
  dashboard?: Dashboard | null;
  /** The metrics log, when `--log` is given. */
  log?: MetricsLog | null;
  /** The clock, in seconds. @default {performance.now() / 1000} */
  now?: () => number;
}

/** The progress figures besides the window's. */
export interface TrainProgress {
  /** Seconds since the run started. */
  elapsed: number;
  /** Estimated seconds left, or null. */
  remaining: number | null;
}

/** `train`'s output. */
export class TrainReport {
  #mode: "human" | "quiet" | "json";
  #write: (text: string) => void;
  #progress: Progress;
  #recorder: TrainRecorder;
  #now: () => number;
  #logEvery: number;
  #lastJson = -Infinity;
  #last: TrainWindow | null = null;
  #pending = false;

  /** @param options The mode, the writer and the sinks. */
  constructor(options: TrainReportOptions) {
    const {
      mode,
      write,
      terminal,
      logEvery,
      dashboard = null,
      log = null,
      now = () => performance.now() / 1000,
    } = options;
    this.#mode = mode;
    this.#write = write;
    this.#now = now;
    this.#logEvery = logEvery;
    this.#progress = new Progress({ terminal, write, logEvery, now });
    const sinks = [];
    if (dashboard !== null) sinks.push(dashboard.publish.bind(dashboard));
    if (log !== null) sinks.push(log.write.bind(log));
    this.#recorder = new TrainRecorder({ sinks, now });
  }

  /** A line outside the training loop: `text` for humans, `{ event, ...fields }` in JSON. */
  line(event: string, text: string, fields: Record<string, unknown> = {}): void {
    if (this.#mode === "human") this.#progress.print(text);
    else if (this.#mode === "json") this.#write(`${JSON.stringify({ event, ...fields })}\n`);
  }

  /** A window: the progress line, and a dashboard/log point now and then (or with `extra`). */
  window(e: TrainWindow, p: TrainProgress, extra: { heldOut?: number; sample?: string } = {}): void {
    this.#last = e;
    this.#pending = this.#recorder.record(e, extra) === null;
    if (this.#mode === "human") {
      this.#progress.update({
        step: e.step,
        stepsPerSecond: e.stepsPerSecond,
        smoothLoss: e.smoothLoss,
        elapsed: p.elapsed,
        remaining: p.remaining,
        trend: this.#recorder.recent,
      });
    } else if (this.#mode === "json" && this.#now() - this.#lastJson >= this.#logEvery) {
      this.#lastJson = this.#now();
      this.line("progress", "", {
        step: e.step,
        stepsPerSecond: e.stepsPerSecond,
        loss: e.smoothLoss,
        bitsPerChar: e.smoothLoss / Math.LN2,
        gradNorm: e.gradNorm,
        elapsed: p.elapsed,
        remaining: p.remaining,
      });
    }
  }

  /** Sends a point for the last window with `extra` (a held-out figure or a sample taken after it). */
  note(extra: { heldOut?: number; sample?: string }): void {
    if (this.#last !== null) this.#recorder.record(this.#last, extra, true);
    this.#pending = false;
  }

  /** Ends the progress line (and sends the last window's point when it was not sent yet). */
  finish(): void {
    if (this.#last !== null && this.#pending) this.#recorder.record(this.#last, {}, true);
    this.#pending = false;
    this.#progress.finish();
  }
}
