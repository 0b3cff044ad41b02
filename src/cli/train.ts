/**
 * `rxrnn train`: streams characters into `train()`, shows live progress and samples,
 * writes checkpoints (periodically, at the end, and on Ctrl-C) and resumes exactly.
 *
 * @module
 */
import { takeWhile } from "../deps.ts";
import { bitsPerChar } from "../cells/bits_per_char.ts";
import { loadCheckpoint, saveCheckpoint } from "../io/checkpoint/checkpoint.ts";
import type { LoadedCheckpoint } from "../io/checkpoint/checkpoint.ts";
import { train } from "../stream/train.ts";
import type { TrainerSnapshot, TrainEvent } from "../stream/train.ts";
import { charSamples } from "../io/text/char_stream.ts";
import { backendOption, durationOption, numberOption, parseOptions, stringOption } from "./_args.ts";
import { backendNames, DEFAULT_BACKEND } from "../kernels/create_backend.ts";
import type { OptionSpec } from "./_args.ts";
import { out, sampleLine } from "./_io.ts";
import { Progress } from "./_progress.ts";
import { DEFAULTS, describeConfig, resolveRunConfig } from "./_run_config.ts";
import { namesData, readText, textData } from "./_train_data.ts";
import { freshOptions, keepEarlierCheckpoint, prepareCheckpointPath, resumeOptions } from "./_train_setup.ts";

const SPEC: OptionSpec = {
  dataset: { type: "string" },
  text: { type: "string" },
  hidden: { type: "string" },
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
  help: { type: "boolean", short: "h" },
};

/** The help text of `train`. */
export const TRAIN_HELP: string = `Train a character-level RNN with truncated BPTT on a stream of text.

Usage: rxrnn train [options]

Data (default: the built-in names dataset):
  --dataset NAME       built-in dataset: names (${"~"}8,400 first names from npm, 10% held out)
  --text FILE          train on a text file instead ('-' reads stdin); the last 10% is held out

Model and optimizer (a resumed run keeps the checkpoint's; giving another value is an error):
  --hidden N           hidden units n_a (default ${DEFAULTS.hidden})
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
  -h, --help           show this help

Ctrl-C (or SIGTERM) stops at the end of the current window, writes the checkpoint and
exits with 0 (a second one exits at once with 130, or 143). The final lines give the
held-out bits per character and the checkpoint's path.

Example:
  deno run --allow-read=. --allow-write=out main.ts train --time 2m --hidden 128
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
  const backend = backendOption(values, "train") ??
    (checkpoint !== null && backendNames().includes(checkpoint.backend)
      ? checkpoint.backend
      : DEFAULT_BACKEND);
  const data = config.data === "names"
    ? await namesData(config.streams, config.seed)
    : textData(await readText(config.textPath!), config.textPath!, config.streams);
  const ckptPath = stringOption(values, "checkpoint") ?? resumePath ??
    (config.data === "names" ? DEFAULTS.checkpoint : DEFAULTS.textCheckpoint);
  await prepareCheckpointPath(ckptPath);
  const trainOptions = checkpoint === null
    ? freshOptions(config, data)
    : resumeOptions(checkpoint, data, resumePath!);
  // train({ backend }) runs every kernel on it (a train() that predates the option ignores it)
  Object.assign(trainOptions, { backend });
  const startStep = checkpoint?.trainer?.counters.steps ?? 0;

  out(`data: ${data.description}\n`);
  out(`model: ${describeConfig(config, data.vocab.size)}\n`);
  if (checkpoint !== null) {
    out(`resuming from '${resumePath}' at step ${startStep.toLocaleString("en-US")}\n`);
  }
  const kept = ckptPath === resumePath ? null : await keepEarlierCheckpoint(ckptPath);
  if (kept !== null) out(`the earlier checkpoint is kept as '${kept}'\n`);

  const progress = new Progress({ terminal: Deno.stdout.isTerminal(), write: out, logEvery });
  const started = performance.now() / 1000;
  const elapsed = () => performance.now() / 1000 - started;
  let interrupted: "Ctrl-C" | "SIGTERM" | null = null,
    writeError: unknown = null,
    writes = Promise.resolve(),
    lastSaved = startStep;
  let lastSample = 0, sampleRound = 0, final: Capture | null = null;
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
          progress.update({
            step: e.step,
            stepsPerSecond: e.stepsPerSecond,
            smoothLoss: e.smoothLoss,
            elapsed: elapsed(),
            remaining: remaining(e),
          });
          if (reason !== null) {
            final = capture(e);
            return;
          }
          if (every > 0 && e.step - lastSaved >= every) {
            const c = capture(e);
            lastSaved = e.step;
            writes = writes.then(() => save(c)).then(
              () => progress.print(`checkpoint: ${ckptPath} (step ${c.step.toLocaleString("en-US")})`),
              (error) => {
                writeError ??= error;
              },
            );
          }
          if (sampleEvery > 0 && elapsed() - lastSample >= sampleEvery) {
            lastSample = elapsed();
            progress.print(sampleLine(e.params, data, config.seed * 1000 + sampleRound++, backend));
          }
        },
        error: reject,
        complete: resolve,
      });
    });
    progress.finish();
    await writes;
    if (writeError !== null) throw writeError;
    const last = final as Capture | null;
    if (last === null) throw new Error("training ended before the first window");
    await save(last);
    if (reason === "interrupted") {
      out(`stopped by ${interrupted} at step ${last.step.toLocaleString("en-US")}\n`);
    }
    out(`${sampleLine(last.snapshot.params, data, config.seed * 1000 + sampleRound, backend)}\n`);
    const { bits, chars } = bitsPerChar(last.snapshot.params, data.heldOut, { backend });
    out(
      chars === 0
        ? "held-out: nothing held out (the text is too short)\n"
        : `held-out: ${bits.toFixed(3)} bits/char on ${data.heldOutLabel} (${
          chars.toLocaleString("en-US")
        } characters)\n`,
    );
    out(`checkpoint: ${ckptPath} (step ${last.step.toLocaleString("en-US")})\n`);
    return 0;
  } finally {
    progress.finish();
    Deno.removeSignalListener("SIGINT", onSigint);
    Deno.removeSignalListener("SIGTERM", onSigterm);
  }
}
