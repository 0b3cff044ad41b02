/**
 * The training progress display: on a terminal, one line redrawn in place (`\r`);
 * otherwise, one log line every few seconds. Other lines (sampled names) are printed
 * above the live line.
 *
 * @module
 */
import { sparkline } from "./dashboard/sparkline.ts";

/** What the progress line shows. */
export interface ProgressInfo {
  /** Total steps so far (including those before a resume). */
  step: number;
  /** Steps per second in this run. */
  stepsPerSecond: number;
  /** Smoothed loss per character, in nats. */
  smoothLoss: number;
  /** Seconds since this run started. */
  elapsed: number;
  /** Estimated seconds left, or null when unknown. */
  remaining: number | null;
  /** Recent bits/char, oldest first: drawn as a sparkline at the end when there are two or more. */
  trend?: readonly number[];
}

/** Options of {@linkcode Progress}. */
export interface ProgressOptions {
  /** Redraw one line in place (a terminal) or print log lines. */
  terminal: boolean;
  /** Writes text as is. */
  write: (text: string) => void;
  /** Seconds between log lines when not on a terminal. @default {5} */
  logEvery?: number;
  /** Seconds between redraws on a terminal. @default {0.1} */
  redrawEvery?: number;
  /** The clock, in seconds. @default {performance.now() / 1000} */
  now?: () => number;
}

/** The live progress display of `train`. */
export class Progress {
  #terminal: boolean;
  #write: (text: string) => void;
  #period: number;
  #now: () => number;
  #last = -Infinity;
  #shown = false;
  #info: ProgressInfo | null = null;
  #drawn = true;

  /** @param options Terminal or log mode, the writer, and the periods. */
  constructor(options: ProgressOptions) {
    const { terminal, write, logEvery = 5, redrawEvery = 0.1, now = () => performance.now() / 1000 } =
      options;
    this.#terminal = terminal;
    this.#write = write;
    this.#period = terminal ? redrawEvery : logEvery;
    this.#now = now;
  }

  /** Records the latest numbers; draws them when the period has passed (or `force`). */
  update(info: ProgressInfo, force = false): void {
    this.#info = info;
    this.#drawn = false;
    const t = this.#now();
    if (!force && t - this.#last < this.#period) return;
    this.#last = t;
    this.#drawn = true;
    if (this.#terminal) {
      this.#write(`\r${formatProgress(info)}\x1b[K`);
      this.#shown = true;
    } else {
      this.#write(`${formatProgress(info)}\n`);
    }
  }

  /** Prints a line above the live line (which is then redrawn). */
  print(line: string): void {
    if (this.#terminal && this.#shown) {
      this.#write(`\r\x1b[K${line}\n`);
      if (this.#info !== null) this.#write(`${formatProgress(this.#info)}\x1b[K`);
    } else {
      this.#write(`${line}\n`);
    }
  }

  /** Ends the live line: draws the last numbers if they are not shown yet, then a newline. */
  finish(): void {
    if (this.#info !== null && !this.#drawn) this.update(this.#info, true);
    if (this.#terminal && this.#shown) this.#write("\n");
    this.#shown = false;
  }
}

/** `step 12,345 | 2,345 steps/s | loss 1.234 | 1.780 bits/char | 0:12 elapsed | 0:48 left` */
export function formatProgress(info: ProgressInfo): string {
  const { step, stepsPerSecond, smoothLoss, elapsed, remaining } = info;
  const loss = Number.isFinite(smoothLoss) ? smoothLoss.toFixed(3) : "-";
  const bits = Number.isFinite(smoothLoss) ? (smoothLoss / Math.LN2).toFixed(3) : "-";
  return [
    `step ${Math.round(step).toLocaleString("en-US")}`,
    `${Math.round(stepsPerSecond).toLocaleString("en-US")} steps/s`,
    `loss ${loss}`,
    `${bits} bits/char`,
    `${formatDuration(elapsed)} elapsed`,
    remaining === null ? "" : `${formatDuration(Math.max(0, remaining))} left`,
    (info.trend?.length ?? 0) >= 2 ? sparkline(info.trend!) : "",
  ].filter((s) => s !== "").join(" | ");
}

/** `m:ss` or `h:mm:ss`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(r).padStart(2, "0")}`;
}
