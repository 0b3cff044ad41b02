/**
 * The live trainer's command line: options, defaults, checks and the help text.
 *
 * @module
 */
import {
  backendOption,
  choiceOption,
  durationOption,
  numberOption,
  parseOptions,
  stringOption,
  UsageError,
} from "./_args.ts";
import type { OptionSpec } from "./_args.ts";
import type { BackpressurePolicy } from "../stream/backpressure.ts";
import { ONLINE_BACKEND } from "../kernels/create_backend.ts";

/** Where the readings come from. */
export type LiveSource =
  | { kind: "ws"; url: string }
  | { kind: "sse"; url: string }
  | { kind: "file"; path: string; follow: boolean }
  | { kind: "stdin" }
  | { kind: "demo"; rate: number };

/** The resolved command line. */
export interface LiveConfig {
  source: LiveSource;
  format: "ndjson" | "csv";
  features: string[];
  key: string;
  label: string;
  seq: string;
  strict: boolean;
  checkpoint?: string;
  every: number;
  resume: boolean;
  events?: number;
  time?: number;
  policy: BackpressurePolicy;
  capacity: number;
  hiddenSize: number;
  k1: number;
  k2: number;
  learningRate: number;
  seed: number;
  threshold: number;
  floor: number;
  hold: number;
  holdFrom: number;
  warmup: number;
  window: number;
  logEvery?: number;
  showInvalid: number;
  showFlags: number;
  /** The kernel backend's name. */
  backend: string;
  /** Serve a dashboard on 127.0.0.1. */
  dashboard?: boolean;
  /** Write the metrics as JSON lines to this file. */
  log?: string;
  /** The command's name in messages (`live`, or `live.ts` for the alias). */
  command: string;
  /** The options given on the command line (names without `--`). */
  given: string[];
}

/** The help text. */
export const LIVE_USAGE: string =
  `live — learn online from a live feed of numeric readings (prequential: predict, then learn)

usage: deno run --allow-net=127.0.0.1 --allow-read=. --allow-write=. main.ts live [source] [options]
       (live.ts [source] [options] is the same command)

sources (one; stdin when none):
  --url ws://HOST:PORT/ws     WebSocket feed of NDJSON events (reconnects with backoff)
  --sse http://HOST:PORT/sse  Server-Sent Events feed (reconnects, resumes with Last-Event-ID)
  --file PATH [--follow]      a file of NDJSON or CSV (with a header) lines; --follow waits for more
  --demo [--rate 500]         start tools/feed_server.ts on a free port and learn from it (needs --allow-run)

data:
  --format ndjson|csv         line format (default: csv for *.csv files, else ndjson)
  --fields a,b                the numeric features to forecast (default humidity,temperature)
  --key FIELD                 one series (and model) per value of FIELD; "" for one series (default mote_id)
  --label FIELD               0/1 anomaly label, for precision and recall; "" for none (default label)
  --seq FIELD                 event sequence number, to resume a network feed after it; "" for none
                              (default seq for --url/--sse/--demo, none for files and stdin)
  --strict                    stop at the first invalid line (exit 1) instead of counting and skipping it

model (forecast = last reading + learned change; gated linear path, persistence and AR beside it):
  --hidden 32 --k1 1 --k2 16 --lr 0.002 --seed 0
  score: the forecast error in robust spreads of the series' own errors (the same scale on every feed)
  --hold-from 100             a flag (and a hold) starts with a score above this
  --threshold 12              a held reading stays flagged while its score (vs the last normal reading)
                              is above this
  --hold 360                  flagged readings are not learned from (the models go on from their own
                              forecast) for at most this many in a row, so a lasting anomaly keeps
                              standing out; 0 learns from every reading
  --floor 3                   a hold ends after 10 readings in a row whose one-step score is below this
                              (the series settled at a new level)
  --warmup 100                forecasts per series before flags are raised
  --window 500                rolling metrics window, in forecasts

flow:
  --policy drop-oldest|drop-newest|sample|pause   when the trainer falls behind (default: pause, drop-oldest for --url)
  --capacity 1024             events queued before the policy applies
  --checkpoint PATH           save the state there (atomically) every --every events and at the end;
                              without --resume, a file already there is first kept as PATH.bak
  --every 1000                checkpoint period, in events
  --resume                    continue from --checkpoint (the feed resumes after its saved sequence number;
                              the model and flag settings are the checkpoint's: another value is an error)
  --backend NAME              the kernel backend (default js: fastest for small online models, bit-identical to wasm-f64)
  --events N                  stop after N events;  --time S  stop after S seconds (90, 90s, 1.5m)
  --log-every N               without a terminal, log a status line every N events (default: every 2 s)
  --show-invalid 5            how many invalid lines to print
  --show-flags 10             how many flagged readings to print as they happen
  --dashboard                 serve a live dashboard on 127.0.0.1 (the URL is printed): forecast against
                              reading per series, flags, dropped/lag counters
  --log FILE                  write the metrics as JSON lines (draw them with 'main.ts dashboard --log FILE')
  -h, --help                  this help
`;

const SPEC: OptionSpec = {
  url: { type: "string" },
  sse: { type: "string" },
  file: { type: "string" },
  follow: { type: "boolean" },
  demo: { type: "boolean" },
  rate: { type: "string" },
  format: { type: "string" },
  fields: { type: "string" },
  key: { type: "string" },
  label: { type: "string" },
  seq: { type: "string" },
  strict: { type: "boolean" },
  checkpoint: { type: "string" },
  every: { type: "string" },
  resume: { type: "boolean" },
  events: { type: "string" },
  time: { type: "string" },
  policy: { type: "string" },
  capacity: { type: "string" },
  hidden: { type: "string" },
  k1: { type: "string" },
  k2: { type: "string" },
  lr: { type: "string" },
  seed: { type: "string" },
  threshold: { type: "string" },
  floor: { type: "string" },
  hold: { type: "string" },
  "hold-from": { type: "string" },
  warmup: { type: "string" },
  window: { type: "string" },
  "log-every": { type: "string" },
  "show-invalid": { type: "string" },
  "show-flags": { type: "string" },
  backend: { type: "string" },
  dashboard: { type: "boolean" },
  log: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/** Parses the command line (`name` starts its messages); returns null for `--help`; throws a UsageError for a bad one. */
export function parseLiveArgs(args: readonly string[], name = "live"): LiveConfig | null {
  const v = parseOptions(name, args, SPEC);
  if (v.help) return null;
  const given = ["url", "sse", "file", "demo"].filter((k) => v[k] !== undefined);
  if (given.length > 1) throw new UsageError(`${name}: give one source: got --${given.join(" and --")}`);
  let source: LiveSource;
  if (v.url !== undefined) {
    source = { kind: "ws", url: checkUrl(name, "url", v.url as string, ["ws:", "wss:"]) };
  } else if (v.sse !== undefined) {
    source = { kind: "sse", url: checkUrl(name, "sse", v.sse as string, ["http:", "https:"]) };
  } else if (v.file !== undefined) {
    source = { kind: "file", path: v.file as string, follow: v.follow === true };
  } else if (v.demo) source = { kind: "demo", rate: numberOption(v, "rate", { above: 0 }) ?? 500 };
  else source = { kind: "stdin" };
  if (v.follow && source.kind !== "file") throw new UsageError(`${name}: --follow needs --file`);
  if (v.rate !== undefined && source.kind !== "demo") throw new UsageError(`${name}: --rate needs --demo`);
  const format = choiceOption(v, "format", ["ndjson", "csv"] as const) ??
    (source.kind === "file" && source.path.toLowerCase().endsWith(".csv") ? "csv" : "ndjson");
  const features = (stringOption(v, "fields") ?? "humidity,temperature").split(",").map((s) => s.trim());
  if (features.some((f) => f === "") || new Set(features).size !== features.length) {
    throw new UsageError(
      `${name}: --fields must be distinct non-empty names separated by commas: got '${v.fields}'`,
    );
  }
  const checkpoint = stringOption(v, "checkpoint");
  if (v.resume && checkpoint === undefined) throw new UsageError(`${name}: --resume needs --checkpoint PATH`);
  if (v.every !== undefined && checkpoint === undefined) {
    throw new UsageError(`${name}: --every needs --checkpoint PATH`);
  }
  const k1 = numberOption(v, "k1", { integer: true, min: 1 }) ?? 1;
  const k2 = numberOption(v, "k2", { integer: true, min: 1 }) ?? Math.max(16, k1);
  if (k2 < k1) throw new UsageError(`${name}: --k2 must be >= --k1 (${k1}): got '${k2}'`);
  const defaultPolicy = source.kind === "ws" || source.kind === "demo" ? "drop-oldest" : "pause";
  return {
    source,
    format,
    features,
    key: stringOption(v, "key") ?? "mote_id",
    label: stringOption(v, "label") ?? "label",
    seq: stringOption(v, "seq") ?? (source.kind === "file" || source.kind === "stdin" ? "" : "seq"),
    strict: v.strict === true,
    checkpoint,
    every: numberOption(v, "every", { integer: true, min: 1 }) ?? 1000,
    resume: v.resume === true,
    events: numberOption(v, "events", { integer: true, min: 1 }),
    time: durationOption(v, "time"),
    policy: choiceOption(v, "policy", ["drop-oldest", "drop-newest", "sample", "pause"] as const) ??
      defaultPolicy,
    capacity: numberOption(v, "capacity", { integer: true, min: 2 }) ?? 1024,
    hiddenSize: numberOption(v, "hidden", { integer: true, min: 1 }) ?? 32,
    k1,
    k2,
    learningRate: numberOption(v, "lr", { min: 0 }) ?? 0.002,
    seed: numberOption(v, "seed", { integer: true, min: 0 }) ?? 0,
    threshold: numberOption(v, "threshold", { above: 0 }) ?? 12,
    floor: numberOption(v, "floor", { min: 0 }) ?? 3,
    hold: numberOption(v, "hold", { integer: true, min: 0 }) ?? 360,
    holdFrom: numberOption(v, "hold-from", { min: 0 }) ?? 100,
    warmup: numberOption(v, "warmup", { integer: true, min: 0 }) ?? 100,
    window: numberOption(v, "window", { integer: true, min: 1 }) ?? 500,
    logEvery: numberOption(v, "log-every", { integer: true, min: 1 }),
    showInvalid: numberOption(v, "show-invalid", { integer: true, min: 0 }) ?? 5,
    showFlags: numberOption(v, "show-flags", { integer: true, min: 0 }) ?? 10,
    backend: backendOption(v, name) ?? ONLINE_BACKEND,
    dashboard: v.dashboard === true,
    log: stringOption(v, "log"),
    command: name,
    given: Object.keys(v).filter((k) => v[k] !== undefined),
  };
}

function checkUrl(command: string, name: string, text: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${command}: --${name} must be a URL: got '${text}'`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new UsageError(`${command}: --${name} must be a ${protocols.join(" or ")} URL: got '${text}'`);
  }
  return url.href;
}
