/**
 * `rxrnn worker`: one member of a pool of workers that learn many live feeds from NATS
 * JetStream, with nothing lost or applied twice when a worker dies.
 *
 * @module
 */
import { numberOption, parseOptions, stringOption, UsageError } from "./_args.ts";
import type { OptionSpec } from "./_args.ts";
import { out } from "./_io.ts";
import { connectNats } from "../io/nats/connect_nats.ts";
import { DEFAULT_PARTITIONS } from "./_cluster_layout.ts";
import { clusterLearnerOptions } from "./_cluster_feed.ts";
import { startWorker } from "./_cluster_worker.ts";

/** Events per partition between checkpoints, by default (the consumer's max_ack_pending is 1.5 times it). */
export const DEFAULT_CHECKPOINT_EVERY = 1000;

const SPEC: OptionSpec = {
  nats: { type: "string" },
  stream: { type: "string" },
  partitions: { type: "string" },
  id: { type: "string" },
  user: { type: "string" },
  pass: { type: "string" },
  token: { type: "string" },
  hidden: { type: "string" },
  "checkpoint-every": { type: "string" },
  "lease-ttl": { type: "string" },
  publish: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/** The help text of `worker`. */
export const WORKER_HELP: string = `Run one member of a pool that learns keyed feeds from NATS JetStream.

Feeds are published on feeds.<partition>.<key> (one stream per partition, NAME-p<partition>);
each worker takes its share of the partitions (a lease each), learns every feed of a
partition in stream order (a LiveLearner with the vanilla RNN per feed), checkpoints the
changed feeds to the JetStream Object Store with their last applied stream sequence,
commits the partition's floor (compare-and-set: a stale holder's commit is refused), and
only then acknowledges the events. A dead worker's partitions move to the others once its
leases expire.

Usage: rxrnn worker --nats URL --stream NAME [options]

  --nats URL              the NATS server (required)
  --stream NAME           the JetStream stream of feeds (required)
  --partitions N          partitions, as published (default ${DEFAULT_PARTITIONS})
  --id ID                 this worker's id (default w<pid>)
  --user NAME, --pass PW  credentials (default: env NATS_USER, NATS_PASS)
  --token TOKEN           a token instead (default: env NATS_TOKEN)
  --hidden N              hidden size of each feed's model (default 8)
  --checkpoint-every N    events per partition between checkpoints (default ${DEFAULT_CHECKPOINT_EVERY})
  --lease-ttl MS          a dead worker's partitions move after this (default 3000)
  --publish PREFIX        publish each applied event's prediction to PREFIX.<key>.prediction,
                          flagged ones also to PREFIX.<key>.flag, and each checkpointed
                          feed's metrics to PREFIX.<key>.metrics (exactly once per applied
                          event: replays are dropped by message id)
  -h, --help              show this help

Stops cleanly (checkpoints, acks, gives its partitions up) on SIGINT or SIGTERM.

Example:
  deno run --allow-net=127.0.0.1 --allow-env --allow-write --allow-read main.ts worker \\
    --nats nats://127.0.0.1:4222 --stream FEEDS
`;

/**
 * Runs `worker` with the given arguments, until SIGINT or SIGTERM (or `signal`).
 *
 * @param args The arguments after `worker`.
 * @param signal Stops the worker when aborted (for tests).
 * @returns The exit code.
 */
export async function workerCommand(args: readonly string[], signal?: AbortSignal): Promise<number> {
  const values = parseOptions("worker", args, SPEC);
  if (values.help) {
    out(WORKER_HELP);
    return 0;
  }
  const servers = stringOption(values, "nats");
  const stream = stringOption(values, "stream");
  if (servers === undefined || stream === undefined) {
    throw new UsageError("worker: --nats URL and --stream NAME are required (see 'worker --help')");
  }
  const env = (name: string): string | undefined => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  };
  const partitions = numberOption(values, "partitions", { integer: true, min: 1 }) ?? DEFAULT_PARTITIONS;
  const hidden = numberOption(values, "hidden", { integer: true, min: 1 }) ?? 8;
  const checkpointEvery = numberOption(values, "checkpoint-every", { integer: true, min: 1 }) ??
    DEFAULT_CHECKPOINT_EVERY;
  const leaseTtl = numberOption(values, "lease-ttl", { integer: true, min: 100 }) ?? 3000;
  const id = stringOption(values, "id") ?? `w${Deno.pid}`;
  const publish = stringOption(values, "publish");
  if (
    publish !== undefined &&
    (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(publish) || /^feeds(\.|$)/.test(publish))
  ) {
    throw new UsageError(
      `worker: --publish must be a subject prefix without wildcards, outside feeds.>, e.g. out (got ${publish})`,
    );
  }
  const user = stringOption(values, "user") ?? env("NATS_USER");
  const pass = stringOption(values, "pass") ?? env("NATS_PASS");
  const token = stringOption(values, "token") ?? env("NATS_TOKEN");
  const log = (line: string): void => {
    Deno.stderr.writeSync(new TextEncoder().encode(`${line}\n`));
  };
  const nc = await connectNats({ servers, user, pass, token, name: `rxrnn-worker-${id}` });
  log(`worker ${id}: connected to ${servers}, stream ${stream}, ${partitions} partitions`);
  const worker = await startWorker(nc, {
    id,
    stream,
    partitions,
    learner: clusterLearnerOptions(hidden),
    checkpointEvery,
    leaseTtl,
    publish,
    log,
  });
  await new Promise<void>((resolve) => {
    const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
    const done = (): void => {
      for (const s of signals) Deno.removeSignalListener(s, done);
      resolve();
    };
    for (const s of signals) Deno.addSignalListener(s, done);
    signal?.addEventListener("abort", done, { once: true });
  });
  try {
    // a stop that hangs (the server gone) ends after 10 s: the leases expire and others take over
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([worker.stop(), new Promise<void>((r) => (timer = setTimeout(r, 10_000)))]);
    clearTimeout(timer);
  } finally {
    await nc.drain().catch(() => {});
  }
  const c = worker.counters;
  out(
    `worker ${id}: applied ${c.applied}, skipped ${c.skipped}, invalid ${c.invalid}, redelivered ${c.redelivered}, ` +
      `segments ${c.checkpoints}, commits ${c.commits}, fenced ${c.fenced}, failures ${c.failures}` +
      (publish === undefined ? "" : `, published ${c.published}, duplicates dropped ${c.duplicates}`) + "\n",
  );
  return 0;
}
