/**
 * The live trainer: connects to a feed, parses and queues its readings, learns from
 * each (predict, then learn), shows rolling metrics, checkpoints periodically, and
 * reports the forecast errors and the anomaly flags' precision and recall at the end.
 *
 * @module
 */
import { map } from "../deps.ts";
import type { Observable, Subscription } from "../deps.ts";
import { backpressure } from "../stream/backpressure.ts";
import type { Backpressured } from "../stream/backpressure.ts";
import { createFeedStats } from "../io/sources/feed_stats.ts";
import type { FeedRecord, InvalidLine } from "../io/sources/feed_stats.ts";
import { fromFile } from "../io/sources/from_file.ts";
import { fromSse } from "../io/sources/from_sse.ts";
import { fromStdin } from "../io/sources/from_stdin.ts";
import { fromWebSocket } from "../io/sources/from_web_socket.ts";
import { parseCsv } from "../io/sources/parse_csv.ts";
import { parseNdjson } from "../io/sources/parse_ndjson.ts";
import { PauseController } from "../stream/pause_controller.ts";
import { LiveLearner } from "../online/live_learner.ts";
import type { LiveLearnerOptions } from "../online/live_learner.ts";
import type { LiveConfig } from "./_live_args.ts";
import { LIVE_USAGE, parseLiveArgs } from "./_live_args.ts";
import { loadLiveCheckpoint, saveLiveCheckpoint } from "./_live_checkpoint.ts";
import type { LiveCheckpoint } from "./_live_checkpoint.ts";
import { startDemoServer } from "./_demo_server.ts";
import type { DemoServer } from "./_demo_server.ts";
import { formatReport, formatStatus } from "./_live_status.ts";
import { UsageError } from "./_args.ts";
import { keepEarlierCheckpoint, prepareCheckpointPath } from "./_train_setup.ts";
import { lockCheckpoint } from "../io/checkpoint/checkpoint_lock.ts";
import { PeriodicSaver } from "../io/checkpoint/periodic_saver.ts";
import type { LiveCounters } from "./_live_status.ts";
import { startDashboard } from "./dashboard/dashboard_server.ts";
import type { Dashboard } from "./dashboard/dashboard_server.ts";
import { LiveRecorder } from "./dashboard/live_recorder.ts";
import { openMetricsLog } from "./dashboard/metrics_log.ts";
import type { MetricsLog } from "./dashboard/metrics_log.ts";
import type { Metrics } from "./dashboard/metrics.ts";

/** Where the live trainer writes: status and results, messages, and whether the output is a terminal. */
export interface LiveIo {
  /** A line of results or log (stdout). */
  out: (line: string) => void;
  /** A line of warnings or errors (stderr). */
  err: (line: string) => void;
  /** Redraw the status line in place (stderr of a terminal); undefined when not a terminal. */
  redraw?: (line: string) => void;
}

/** The options a resumed run keeps from its checkpoint, and their fields in the config. */
const KEPT = [
  ["hidden", "hiddenSize"],
  ["k1", "k1"],
  ["k2", "k2"],
  ["lr", "learningRate"],
  ["seed", "seed"],
  ["window", "window"],
  ["threshold", "threshold"],
  ["floor", "floor"],
  ["hold", "hold"],
  ["hold-from", "holdFrom"],
  ["warmup", "warmup"],
  ["key", "key"],
] as const;

function settingsOf(config: LiveConfig): Record<string, number | string> {
  return Object.fromEntries(KEPT.map(([flag, field]) => [flag, config[field]]));
}

/** The config with the checkpoint's settings; a flag given with another value is a usage error. */
function keepSettings(config: LiveConfig, saved: Record<string, number | string> | undefined): LiveConfig {
  const kept: Record<string, unknown> = { ...config };
  for (const [flag, field] of KEPT) {
    const value = saved?.[flag];
    if (value === undefined) continue;
    if (config.given.includes(flag) && config[field] !== value) {
      throw new UsageError(
        `${config.command}: --${flag} ${
          config[field]
        } differs from the checkpoint's ${value} (a resumed run keeps its settings)`,
      );
    }
    kept[field] = value;
  }
  return kept as unknown as LiveConfig;
}

/** Fails with one line when the file to read is missing, a directory or not allowed. */
async function checkReadable(path: string): Promise<void> {
  try {
    if ((await Deno.stat(path)).isDirectory) throw new Error(`cannot read '${path}': it is a directory`);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error(`cannot read '${path}': file not found`);
    throw new Error(
      (error as Error).message.startsWith("cannot read")
        ? (error as Error).message
        : `cannot read '${path}': ${(error as Error).message.split("\n")[0]}`,
    );
  }
}

/**
 * Runs `live` with the given arguments (`main.ts live …`, and `live.ts …` as its alias),
 * writing to the console: on a terminal the status line is redrawn in place on stderr.
 *
 * @param args The arguments after `live`.
 * @param name The command's name in messages.
 * @returns The exit code: 0 done, 1 a runtime failure.
 * @throws {UsageError} For a bad command line, its message starting with `name`.
 */
export async function liveCommand(args: readonly string[], name = "live"): Promise<number> {
  const encoder = new TextEncoder();
  const tty = Deno.stderr.isTerminal();
  try {
    const config = parseLiveArgs(args, name);
    if (config === null) {
      console.log(LIVE_USAGE);
      return 0;
    }
    return await runLive(config, {
      // on a terminal, clear the status line before a log line
      out: (line) => {
        if (tty) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
        console.log(line);
      },
      err: (line) => console.error(line),
      redraw: tty ? (line) => Deno.stderr.writeSync(encoder.encode(`\r${line}\x1b[K`)) : undefined,
    });
  } catch (error) {
    if (error instanceof UsageError && !error.message.startsWith(`${name}: `)) {
      throw new UsageError(`${name}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Runs the live trainer until the feed ends, `--events` or `--time` is reached, or a
 * signal (SIGINT/SIGTERM) arrives.
 *
 * @param config The parsed command line.
 * @param io The output channels.
 * @returns The exit code: 0 done, 1 a runtime failure (an invalid line with `--strict`, a feed that gave up).
 */
export async function runLive(config: LiveConfig, io: LiveIo): Promise<number> {
  if (config.source.kind === "file") await checkReadable(config.source.path);
  if (config.checkpoint !== undefined) await prepareCheckpointPath(config.checkpoint);
  // one writer per checkpoint: a second live trainer on this path is refused; freed on return
  using _lock = config.checkpoint === undefined ? null : await lockCheckpoint(config.checkpoint);
  const ck = config.resume ? await loadLiveCheckpoint(config.checkpoint!) : null;
  if (ck !== null) config = keepSettings(config, ck.settings);
  const { features } = config;
  const learnerOptions: LiveLearnerOptions = {
    features,
    backend: config.backend,
    hiddenSize: config.hiddenSize,
    k1: config.k1,
    k2: config.k2,
    optimizer: { type: "adam", learningRate: config.learningRate },
    seed: config.seed,
    window: config.window,
    threshold: config.threshold,
    floor: config.floor,
    hold: config.hold,
    holdFrom: config.holdFrom,
    warmup: config.warmup,
  };
  const counters: LiveCounters = {
    events: 0,
    position: 0,
    lastSeq: -1,
    skipped: 0,
    dropped: 0,
    lag: 0,
    reconnects: 0,
    flags: 0,
  };
  let learner: LiveLearner;
  if (ck !== null) {
    if (JSON.stringify(ck.features) !== JSON.stringify(features)) {
      throw new Error(
        `Cannot resume from "${config.checkpoint}": it was made with --fields ${ck.features.join(",")}`,
      );
    }
    try {
      learner = new LiveLearner(learnerOptions, ck.learner);
    } catch (error) {
      throw new Error(
        `Cannot resume from "${config.checkpoint}": ${(error as Error).message.split("\n")[0]}`,
      );
    }
    Object.assign(counters, ck.counters, { lag: 0 });
    io.out(`resumed from ${config.checkpoint} at events=${counters.events} seq=${counters.lastSeq}`);
  } else {
    learner = new LiveLearner(learnerOptions);
    const kept = config.checkpoint === undefined ? null : await keepEarlierCheckpoint(config.checkpoint);
    if (kept !== null) io.out(`the earlier checkpoint is kept as '${kept}'`);
  }

  let demo: DemoServer | null = null;
  let sub: Subscription | null = null;
  const listeners: [Deno.Signal, () => void][] = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  let dashboard: Dashboard | null = null, metricsLog: MetricsLog | null = null;
  let recorder: LiveRecorder | null = null, flushTimer: ReturnType<typeof setInterval> | undefined;
  try {
    if (config.log !== undefined) metricsLog = openMetricsLog(config.log);
    if (config.dashboard) {
      dashboard = await startDashboard({ title: `live: ${features.join(", ")}` });
      io.out(`dashboard: ${dashboard.url}`);
    }
    if (dashboard !== null || metricsLog !== null) {
      const sinks: ((m: Metrics) => void)[] = [];
      if (dashboard !== null) sinks.push(dashboard.publish.bind(dashboard));
      if (metricsLog !== null) sinks.push(metricsLog.write.bind(metricsLog));
      recorder = new LiveRecorder({ features, sinks });
      const live = recorder;
      flushTimer = setInterval(() => live.flush(counters), 250);
    }
    if (config.source.kind === "demo") {
      demo = await startDemoServer(config.source.rate);
      io.out(`demo: feed server on ws://127.0.0.1:${demo.port}/ws replaying ${config.source.rate} events/s`);
    }
    const stats = createFeedStats();
    const base = { events: counters.events, skipped: counters.skipped, dropped: counters.dropped };
    const baseReconnects = counters.reconnects, skipRecords = counters.position;
    const pause = new PauseController();
    const fields = [features, config.key, config.label, config.seq].flat().filter((f) => f !== "");
    const at = (name: string) => name === "" ? -1 : fields.indexOf(name);
    const [keyAt, labelAt, seqAt] = [at(config.key), at(config.label), at(config.seq)];
    let shown = 0;
    const onInvalid = (bad: InvalidLine) => {
      if (shown++ < config.showInvalid) io.err(`skipped line ${bad.line}: ${bad.reason}: ${bad.text}`);
    };
    const parse = config.format === "csv"
      ? parseCsv({ header: true, columns: fields, strict: config.strict, stats, onInvalid })
      : parseNdjson({ fields, strict: config.strict, stats, onInvalid });
    const lines = openLines(config, demo, pause, stats, counters.lastSeq, seqAt >= 0);
    const started = performance.now();
    let resolve!: (code: number) => void;
    const finished = new Promise<number>((r) => (resolve = r));
    let stopped = false;
    const done = (code: number) => {
      if (stopped) return;
      stopped = true; // events still in the delivery slice are not learned from
      resolve(code);
    };
    let finalError: Error | null = null;
    const snapshot = (): LiveCheckpoint => ({
      cell: learner.cell,
      backend: config.backend,
      features,
      learner: learner.getState(),
      counters: { ...counters },
      settings: settingsOf(config),
    });
    const saved = (data: LiveCheckpoint) =>
      io.out(`checkpoint events=${data.counters.events} seq=${data.counters.lastSeq}`);
    // periodic saves coalesce: one in flight, the next captured when it ends (never a queue)
    const saver = new PeriodicSaver<LiveCheckpoint>((d) => saveLiveCheckpoint(config.checkpoint!, d), {
      every: config.checkpoint === undefined ? 0 : config.every,
      onSaved: saved,
      onError: (e) => io.err(`warning: checkpoint failed: ${(e as Error).message}`),
    });
    saver.start(counters.events);
    // invalid lines of a resumed file counted again while passing over what the checkpoint holds
    let replayed = 0;
    const status = () => formatStatus(counters, learner, (performance.now() - started) / 1000, base.events);
    const fileLike = config.source.kind === "file" || config.source.kind === "stdin";
    sub = lines.pipe(
      parse,
      backpressure<FeedRecord>({
        policy: config.policy,
        capacity: config.capacity,
        pause: config.policy === "pause" ? pause : undefined,
      }),
    ).subscribe({
      next(b: Backpressured<FeedRecord>) {
        if (stopped) return;
        // a run resumed at or past --events learns nothing more
        if (config.events !== undefined && counters.events >= config.events) return done(0);
        const passed = b.delivered + b.dropped;
        if (fileLike && passed <= skipRecords) replayed = stats.skipped;
        counters.skipped = base.skipped + stats.skipped - replayed;
        counters.dropped = base.dropped + b.dropped;
        counters.lag = b.lag;
        counters.reconnects = baseReconnects + stats.reconnects;
        // a resumed file or stdin is read again from its start: pass over what the checkpoint holds
        if (fileLike && passed <= skipRecords) return;
        const v = b.value.values;
        const outcome = learner.observe(
          keyAt >= 0 ? String(v[keyAt]) : "",
          v.slice(0, features.length),
          labelAt >= 0 ? v[labelAt] : undefined,
        );
        counters.events++;
        recorder?.reading({
          key: outcome.key,
          event: counters.events,
          values: v.slice(0, features.length),
          forecast: outcome.forecast,
          flagged: outcome.flagged,
        });
        counters.position = (fileLike ? 0 : skipRecords) + passed;
        if (seqAt >= 0) counters.lastSeq = v[seqAt];
        if (outcome.flagged && counters.flags++ < config.showFlags) {
          const vs = features.map((f, i) => `${f}=${v[i]} (forecast ${outcome.forecast![i].toFixed(2)})`);
          io.out(
            `flag: ${config.key || "series"}=${outcome.key}${seqAt >= 0 ? ` seq=${v[seqAt]}` : ""} ${
              vs.join(" ")
            } score=${outcome.score.toFixed(1)}${labelAt >= 0 ? ` label=${v[labelAt]}` : ""}`,
          );
        }
        if (config.logEvery !== undefined && counters.events % config.logEvery === 0) io.out(status());
        saver.tick(counters.events, snapshot);
        if (config.events !== undefined && counters.events >= config.events) done(0);
      },
      error(e) {
        io.err(`error: ${(e as Error)?.message ?? e}`);
        done(1);
      },
      complete: () => done(0),
    });
    if (io.redraw !== undefined) timer = setInterval(() => io.redraw!(status()), 250);
    else if (config.logEvery === undefined) timer = setInterval(() => io.out(status()), 2000);
    if (config.time !== undefined) {
      const stopAt = setTimeout(() => done(0), config.time * 1000);
      finished.finally(() => clearTimeout(stopAt));
    }
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const stop = () => done(130);
      Deno.addSignalListener(signal, stop);
      listeners.push([signal, stop]);
    }
    const code = await finished;
    sub.unsubscribe();
    clearInterval(timer);
    timer = undefined;
    if (io.redraw !== undefined) io.redraw("");
    counters.skipped = base.skipped + stats.skipped - replayed;
    counters.reconnects = baseReconnects + stats.reconnects;
    recorder?.flush(counters, true);
    await saver.idle();
    if (code !== 1 && config.checkpoint !== undefined) {
      const data = snapshot();
      await saveLiveCheckpoint(config.checkpoint, data).then(() => saved(data), (e) => {
        finalError = e as Error;
      });
    }
    for (const line of formatReport(counters, learner, (performance.now() - started) / 1000, base.events)) {
      io.out(line);
    }
    if (finalError !== null) {
      throw new Error(`the final checkpoint failed: ${(finalError as Error).message.split("\n")[0]}`);
    }
    return code === 130 ? 0 : code;
  } finally {
    clearInterval(timer);
    clearInterval(flushTimer);
    metricsLog?.close();
    await dashboard?.close();
    sub?.unsubscribe();
    for (const [signal, stop] of listeners) Deno.removeSignalListener(signal, stop);
    learner.close();
    await demo?.stop();
  }
}

function openLines(
  config: LiveConfig,
  demo: DemoServer | null,
  pause: PauseController,
  stats: ReturnType<typeof createFeedStats>,
  lastSeq: number,
  hasSeq: boolean,
): Observable<string> {
  const reconnect = { initialDelay: 100, maxDelay: 1000 };
  const after = (url: string) => {
    if (!hasSeq || lastSeq < 0) return url;
    const u = new URL(url);
    u.searchParams.set("from", String(lastSeq + 1));
    return u.href;
  };
  const source = config.source;
  switch (source.kind) {
    case "demo":
      return fromWebSocket(`ws://127.0.0.1:${demo!.port}/ws`, { stats, reconnect });
    case "ws":
      return fromWebSocket(after(source.url), { stats, reconnect });
    case "sse":
      return fromSse(after(source.url), { stats, reconnect, pause, reconnectOnEnd: false }).pipe(
        map((e) => e.data),
      );
    case "file":
      return fromFile(source.path, { follow: source.follow, pause });
    case "stdin":
      return fromStdin({ pause });
  }
}
