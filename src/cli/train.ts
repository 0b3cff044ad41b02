/**
 * `rxrnn train`: streams characters into `train()`, shows live progress and samples,
 * writes checkpoints (periodically, at the end, and on Ctrl-C) and resumes exactly.
 *
 * @module
 */
import { takeWhile } from "../deps.ts";
import { bitsPerChar } from "../cells/bits_per_char.ts";
import { loadCheckpoint, saveCheckpoint } from "../io/checkpoint/checkpoint.ts";
import { lockCheckpoint } from "../io/checkpoint/checkpoint_lock.ts";
import { PeriodicSaver } from "../io/checkpoint/periodic_saver.ts";
import type { LoadedCheckpoint } from "../io/checkpoint/checkpoint.ts";
import { train } from "../stream/train.ts";
import type { TrainerSnapshot, TrainEvent } from "../stream/train.ts";
import { charSamples } from "../io/text/char_stream.ts";
import {
  backendOption,
  durationOption,
  numberOption,
  parseOptions,
  stringOption,
  UsageError,
} from "./_args.ts";
import { backendNames, DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import type { OptionSpec } from "./_args.ts";
import { out, sampleLine } from "./_io.ts";
import { TrainReport } from "./_train_report.ts";
import { startDashboard } from "./dashboard/dashboard_server.ts";
import type { Dashboard } from "./dashboard/dashboard_server.ts";
import { openMetricsLog } from "./dashboard/metrics_log.ts";
import type { MetricsLog } from "./dashboard/metrics_log.ts";
import { rememberCheckpoint } from "./_last_model.ts";
import { DEFAULTS, describeConfig, resolveRunConfig } from "./_run_config.ts";
import { cellOf } from "./_cell_config.ts";
import { namesData, readText, textData, withValidation } from "./_train_data.ts";
import { freshOptions, keepEarlierCheckpoint, prepareCheckpointPath, resumeOptions } from "./_train_setup.ts";

const SPEC: OptionSpec = {
  dataset: { type: "string" },
  text: { type: "string" },
  lossy: { type: "boolean" },
  "max-vocab": { type: "string" },
  hidden: { type: "string" },
  cell: { type: "string" },
  layers: { type: "string" },
  embed: { type: "string" },
  k1: { type: "string" },
  k2: { type: "string" },
  optimizer: { type: "string" },
  lr: { type: "string" },
  clip: { type: "string" },
  "clip-value": { type: "string" },
  seed: { type: "string" },
  streams: { type: "string" },
  steps: { type: "string" },
  time: { type: "string" },
  checkpoint: { type: "string" },
  resume: { type: "string" },
  every: { type: "string" },
  "sample-every": { type: "string" },
  "log-every": { type: "string" },
  backend: { type: "string" },
  workers: { type: "string" },
  holdout: { type: "string" },
  valid: { type: "string" },
  "eval-every": { type: "string" },
  dashboard: { type: "boolean" },
  log: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** The help text of `train`. */
export const TRAIN_HELP: string = `Train a character-level RNN with truncated BPTT on a stream of text.

Usage: rxrnn train [options]

Data (default: the built-in names dataset):
  --dataset NAME       built-in dataset: names (${"~"}8,400 first names from npm, 10% held out)
  --text FILE          train on a text file instead ('-' reads stdin); the last 10% is held out
  --holdout F          the fraction held out (not trained on) for the held-out figures (default 0.1)
  --valid FILE         measure held-out bits/char on this file instead (a name per line for names)
  --lossy              accept invalid UTF-8 in --text (as U+FFFD) instead of refusing it
  --max-vocab N        refuse a --text with more than N distinct characters (default 256)

Model and optimizer (a resumed run keeps the checkpoint's; giving another value is an error):
  --hidden N           hidden units n_a (default ${DEFAULTS.hidden})
  --cell NAME          rnn (the vanilla RNN), gru or lstm (default rnn)
  --layers N,N,...     layer sizes, bottom first: more than one stacks layers of --cell
                       (the top one is the hidden size; default: one layer of --hidden)
  --embed N            learn an N-dimensional embedding of the characters (default: none)
  --k1 N               update every k1 steps (default ${DEFAULTS.k1})
  --k2 N               backpropagate k2 >= k1 steps (default ${DEFAULTS.k2})
  --optimizer NAME     sgd, adagrad, rmsprop, adam or adamw (default ${DEFAULTS.optimizer})
  --lr X               learning rate (default ${DEFAULTS.lr} for adam/adamw, else the optimizer's)
  --clip X             rescale gradients to a global norm <= X; 0 turns it off (default ${DEFAULTS.clip})
  --clip-value X       also clamp each gradient element to [-X, X]
  --seed N             seed of the initialisation, the split and the shuffles (default ${DEFAULTS.seed})
  --streams N          parallel streams m, the batch columns (default ${DEFAULTS.streams})

Run:
  --steps N            train N more steps (rounded up to whole windows of k1)
  --time DURATION      train this long: 90, 90s, 1.5m, 2h (default 60s when --steps is not given)
  --checkpoint FILE    where to write checkpoints (default ${DEFAULTS.checkpoint}, or ${DEFAULTS.textCheckpoint}
                       with --text, or the --resume file); a file already there that
                       this run does not continue is first kept as FILE.bak
  --every N            also write a checkpoint every N steps; 0: only at the end (default ${DEFAULTS.every})
  --resume FILE        continue exactly from a checkpoint (same data, settings, position)
  --sample-every DUR   print sampled names this often; 0: never (default ${DEFAULTS.sampleEvery}s)
  --log-every DUR      when not on a terminal, print a progress line this often (default ${DEFAULTS.logEvery}s)
  --backend NAME       the kernel backend: ${
  backendNames().join(", ")
} (default: the resumed checkpoint's, else ${DEFAULT_BACKEND})
  --workers N          threads that share each window's --streams columns: this one and N-1
                       Web Workers, one merge per window (default 1; at most --streams;
                       results differ from one thread's only by float rounding). Needs read
                       access to the library's src/stream/ (e.g. --allow-read=.)
  --eval-every N       also measure held-out bits/char every N steps (default: only at the end)

Output:
  --dashboard          serve a live dashboard on 127.0.0.1 (a free port; the URL is printed):
                       loss and held-out bits/char, gradient norm, steps/s, samples
  --log FILE           write the metrics as JSON lines (draw them with 'rxrnn dashboard --log FILE')
  -q, --quiet          print nothing but errors (and the dashboard's URL)
  --json               print one JSON object per line (start, progress, sample, checkpoint,
                       held-out, done) instead of text
  -h, --help           show this help

Ctrl-C (or SIGTERM) stops at the end of the current window, writes the checkpoint and
exits with 0 (a second one exits at once with 130, or 143). The final lines give the
held-out bits per character and the checkpoint's path; 'sample' and 'eval' then read
that checkpoint by default (its path is kept in out/last.json).

Examples:
  deno run --allow-read=. --allow-write=out main.ts train --time 2m --hidden 128
  deno run --allow-read=. --allow-write=out main.ts train --cell gru --layers 128,128 --embed 32
`;

/** What is saved at one event: the trainer's snapshot and the stream's position, taken together. */
interface Capture {
  snapshot: TrainerSnapshot;
  stream: unknown;
  step: number;
}

/**
 * Runs `train` with the given arguments.
 *
 * @param args The arguments after `train`.
 * @returns The exit code.
 */
export async function trainCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions("train", args, SPEC);
  if (values.help) {
    out(TRAIN_HELP);
    return 0;
  }
  const steps = numberOption(values, "steps", { integer: true, min: 1 });
  const time = durationOption(values, "time") ?? (steps === undefined ? DEFAULTS.time : undefined);
  const every = numberOption(values, "every", { integer: true, min: 0 }) ?? DEFAULTS.every;
  const sampleEvery = stringOption(values, "sample-every") === "0"
    ? 0
    : durationOption(values, "sample-every") ?? DEFAULTS.sampleEvery;
  const logEvery = durationOption(values, "log-every") ?? DEFAULTS.logEvery;
  if (values.quiet && values.json) throw new UsageError("train: give --quiet or --json, not both");
  const mode = values.json ? "json" : values.quiet ? "quiet" : "human";
  const holdout = numberOption(values, "holdout", { min: 0 }) ?? 0.1;
  if (!(holdout < 1)) throw new UsageError(`--holdout must be a number in [0, 1): got '${values.holdout}'`);
  const validPath = stringOption(values, "valid");
  const evalEvery = numberOption(values, "eval-every", { integer: true, min: 1 });
  const logPath = stringOption(values, "log");
  const resumePath = stringOption(values, "resume");
  const checkpoint: LoadedCheckpoint | null = resumePath === undefined
    ? null
    : await loadCheckpoint(resumePath);
  if (checkpoint !== null && checkpoint.trainer === null) {
    throw new Error(`cannot resume from '${resumePath}': it holds a model without trainer state`);
  }
  if (checkpoint !== null && checkpoint.config.data !== "names" && checkpoint.config.data !== "text") {
    throw new Error(
      `cannot resume from '${resumePath}': it was not written by 'train' (it has no run settings)`,
    );
  }
  const config = resolveRunConfig(values, checkpoint);
  const workers = numberOption(values, "workers", { integer: true, min: 1 }) ?? 1;
  if (workers > config.streams) {
    throw new UsageError(`--workers must be at most --streams (${config.streams}): got '${values.workers}'`);
  }
  const backend = backendOption(values, "train") ??
    (checkpoint !== null && backendNames().includes(checkpoint.backend)
      ? checkpoint.backend
      : DEFAULT_BACKEND);
  const trainData = config.data === "names"
    ? await namesData(config.streams, config.seed, holdout)
    : textData(
      await readText(config.textPath!, values.lossy === true),
      config.textPath!,
      config.streams,
      holdout,
      numberOption(values, "max-vocab", { integer: true, min: 2 }) ?? 256,
    );
  const data = validPath === undefined
    ? trainData
    : withValidation(trainData, await readText(validPath, values.lossy === true), validPath);
  const ckptPath = stringOption(values, "checkpoint") ?? resumePath ??
    (config.data === "names" ? DEFAULTS.checkpoint : DEFAULTS.textCheckpoint);
  await prepareCheckpointPath(ckptPath);
  // one writer per checkpoint: a second trainer on this path is refused before training; freed on return
  using _lock = await lockCheckpoint(ckptPath);
  const trainOptions = checkpoint === null
    ? freshOptions(config, data)
    : resumeOptions(checkpoint, data, resumePath!);
  // train({ backend }) runs every kernel on it (a train() that predates the option ignores it)
  Object.assign(trainOptions, { backend, workers });
  // a fresh run builds its cell from the flags; a resumed one rebuilds the checkpoint's
  const cell = checkpoint?.cell ?? cellOf(config);
  if (checkpoint === null) Object.assign(trainOptions, { cell });
  const startStep = checkpoint?.trainer?.counters.steps ?? 0;

  const log: MetricsLog | null = logPath === undefined ? null : openMetricsLog(logPath);
  let dashboard: Dashboard | null = null;
  try {
    dashboard = values.dashboard ? await startDashboard({ title: `train: ${data.description}` }) : null;
  } catch (error) {
    log?.close();
    throw error;
  }
  const progress = new TrainReport({
    mode,
    write: out,
    terminal: Deno.stdout.isTerminal(),
    logEvery,
    dashboard,
    log,
  });
  progress.line("data", `data: ${data.description}`, { data: data.description });
  progress.line("model", `model: ${describeConfig(config, data.vocab.size)}`, { config });
  if (dashboard !== null) {
    if (mode === "quiet") out(`dashboard: ${dashboard.url}\n`);
    progress.line("dashboard", `dashboard: ${dashboard.url}`, { url: dashboard.url });
  }
  if (log !== null) progress.line("log", `metrics log: ${log.path}`, { path: log.path });
  if (checkpoint !== null) {
    progress.line("resume", `resuming from '${resumePath}' at step ${startStep.toLocaleString("en-US")}`, {
      path: resumePath,
      step: startStep,
    });
  }
  const kept = ckptPath === resumePath ? null : await keepEarlierCheckpoint(ckptPath);
  if (kept !== null) progress.line("kept", `the earlier checkpoint is kept as '${kept}'`, { path: kept });
  const started = performance.now() / 1000;
  const elapsed = () => performance.now() / 1000 - started;
  let interrupted: "Ctrl-C" | "SIGTERM" | null = null, writeError: unknown = null;
  let lastSample = 0, sampleRound = 0, final: Capture | null = null, lastEval = startStep;
  const onSigint = (): void => {
    if (interrupted !== null) Deno.exit(130);
    interrupted = "Ctrl-C";
  };
  // SIGTERM (timeout, a service manager) stops the same way; a second one exits at once with 143
  const onSigterm = (): void => {
    if (interrupted !== null) Deno.exit(143);
    interrupted = "SIGTERM";
  };
  const save = (c: Capture): Promise<void> =>
    saveCheckpoint(ckptPath, {
      backend,
      config: { ...config, sizes: { nx: data.vocab.size, na: config.hidden, ny: data.vocab.size } },
      vocab: data.vocab.toData(),
      params: c.snapshot.params,
      trainer: c.snapshot,
      stream: c.stream,
      extra: { data: data.identity, counters: { ...c.snapshot.counters } },
    }).then(() => {});
  // periodic saves coalesce: one in flight, the next captured when it ends (never a queue)
  const saver = new PeriodicSaver<Capture>(save, {
    every,
    onSaved: (c) =>
      progress.line("checkpoint", `checkpoint: ${ckptPath} (step ${c.step.toLocaleString("en-US")})`, {
        path: ckptPath,
        step: c.step,
      }),
    onError: (error) => {
      writeError ??= error;
    },
  });
  saver.start(startStep);
  const capture = (e: TrainEvent): Capture => ({
    snapshot: e.snapshot(),
    stream: data.stream.getState(),
    step: e.step,
  });
  const stopReason = (e: TrainEvent): string | null => {
    if (writeError !== null) return "error";
    if (interrupted !== null) return "interrupted";
    if (steps !== undefined && e.step - startStep >= steps) return "steps";
    if (time !== undefined && elapsed() >= time) return "time";
    return null;
  };
  const remaining = (e: TrainEvent): number | null => {
    const left = [
      time === undefined ? Infinity : time - elapsed(),
      steps === undefined || !(e.stepsPerSecond > 0)
        ? Infinity
        : (steps - (e.step - startStep)) / e.stepsPerSecond,
    ];
    const r = Math.min(...left);
    return Number.isFinite(r) ? r : null;
  };

  Deno.addSignalListener("SIGINT", onSigint);
  Deno.addSignalListener("SIGTERM", onSigterm);
  try {
    let reason: string | null = null;
    await new Promise<void>((resolve, reject) => {
      charSamples(data.stream, { chunk: 64 }).pipe(
        train(trainOptions),
        takeWhile((e) => (reason = stopReason(e)) === null, true),
      ).subscribe({
        next(e) {
          progress.window(e, { elapsed: elapsed(), remaining: remaining(e) });
          if (reason !== null) {
            final = capture(e);
            return;
          }
          saver.tick(e.step, () => capture(e));
          if (evalEvery !== undefined && e.step - lastEval >= evalEvery && data.heldOut.length > 0) {
            lastEval = e.step;
            const { bits } = bitsPerChar(e.params, data.heldOut, { cell, backend });
            progress.note({ heldOut: bits });
            progress.line(
              "heldout",
              `held-out: ${bits.toFixed(3)} bits/char at step ${e.step.toLocaleString("en-US")}`,
              {
                step: e.step,
                bitsPerChar: bits,
              },
            );
          }
          if (sampleEvery > 0 && elapsed() - lastSample >= sampleEvery) {
            lastSample = elapsed();
            const line = sampleLine(e.params, data, config.seed * 1000 + sampleRound++, backend, cell);
            progress.note({ sample: line.replace(/^samples?: /, "") });
            progress.line("sample", line, { step: e.step, text: line.replace(/^samples?: /, "") });
          }
        },
        error: reject,
        complete: resolve,
      });
    });
    progress.finish();
    await saver.idle();
    if (writeError !== null) throw writeError;
    const last = final as Capture | null;
    if (last === null) throw new Error("training ended before the first window");
    await save(last);
    const remembered = await rememberCheckpoint(ckptPath);
    if (reason === "interrupted") {
      progress.line("stopped", `stopped by ${interrupted} at step ${last.step.toLocaleString("en-US")}`, {
        by: interrupted,
        step: last.step,
      });
    }
    const finalSample = sampleLine(
      last.snapshot.params,
      data,
      config.seed * 1000 + sampleRound,
      backend,
      cell,
    );
    progress.line("sample", finalSample, { step: last.step, text: finalSample.replace(/^samples?: /, "") });
    const { bits, chars } = bitsPerChar(last.snapshot.params, data.heldOut, { cell, backend });
    progress.note(
      chars === 0 ? { sample: finalSample.replace(/^samples?: /, "") } : {
        heldOut: bits,
        sample: finalSample.replace(/^samples?: /, ""),
      },
    );
    progress.line(
      "heldout",
      chars === 0
        ? "held-out: nothing held out (the text is too short)"
        : `held-out: ${bits.toFixed(3)} bits/char on ${data.heldOutLabel} (${
          chars.toLocaleString("en-US")
        } characters)`,
      { step: last.step, bitsPerChar: chars === 0 ? null : bits, chars },
    );
    progress.line("done", `checkpoint: ${ckptPath} (step ${last.step.toLocaleString("en-US")})`, {
      checkpoint: ckptPath,
      step: last.step,
      remembered,
    });
    return 0;
  } finally {
    progress.finish();
    log?.close();
    await dashboard?.close();
    Deno.removeSignalListener("SIGINT", onSigint);
    Deno.removeSignalListener("SIGTERM", onSigterm);
  }
}
