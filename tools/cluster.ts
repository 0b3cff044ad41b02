/**
 * `deno task cluster`: the cluster demo and its proof. Starts a local nats-server
 * (JetStream, user/password auth, temp dir, free port), publishes the sensor data set as
 * many keyed feeds, runs a pool of 1, 2 and 3 workers (`main.ts worker`), kills one with
 * SIGKILL mid-run and starts a replacement, and prints per pool size: events/s, events
 * learned, missing, double-applied, and the final models' agreement with a
 * single-process run over the same events (bit-identical per feed). Everything it starts
 * is stopped by PID.
 *
 * A pool that does not finish within `--cap` seconds is recorded as unfinished (with
 * what it had checkpointed, and its counts) and the next pool size runs.
 *
 * Usage: deno task cluster [--copies N] [--workers 1,2,3] [--cap SECONDS] [--checkpoint-every N]
 *        [--publish] [--verbose]
 *
 * `--copies 4` (the default) gives 16 feeds and 75 656 events; `--copies 11` gives 44 feeds and
 * 208 054 events. `--publish` has the workers publish their outputs and checks that the output
 * stream holds exactly one prediction per event.
 *
 * @module
 */
import { loadSensorReadings } from "./_sensor_data.ts";
import { startNatsServer } from "../src/cli/_cluster_server.ts";
import type { LocalNatsServer } from "../src/cli/_cluster_server.ts";
import { clusterNames, DEFAULT_PARTITIONS, feedSubject, partitionOf } from "../src/cli/_cluster_layout.ts";
import { clusterLearnerOptions, FeedLearner } from "../src/cli/_cluster_feed.ts";
import type { FeedEvent, FeedLearnerState } from "../src/cli/_cluster_feed.ts";
import { ensureFeedStreams } from "../src/cli/_cluster_stores.ts";
import { readFeedStates, readFloors } from "../src/cli/_cluster_state.ts";
import { connectNats } from "../src/io/nats/connect_nats.ts";
import { jetstream, jetstreamManager, Kvm, Objm } from "../src/io/nats/nats_deps.ts";
import { encodeValue } from "../src/io/checkpoint/codec.ts";

const args = Deno.args;
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const COPIES = Number(flag("copies", "4"));
const POOLS = flag("workers", "1,2,3").split(",").map(Number);
const PARTITIONS = DEFAULT_PARTITIONS;
const STREAM = "FEEDS";
const USER = "rxrnn";
const PASS = crypto.randomUUID(); // never printed
const LEASE_TTL = 3000;
const VERBOSE = args.includes("--verbose");
const PUBLISH = args.includes("--publish") ? "out" : undefined;
const CAP_MS = Number(flag("cap", "240")) * 1000;
const EVERY = args.includes("--checkpoint-every") ? ["--checkpoint-every", flag("checkpoint-every", "")] : [];
const load = (): string => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
/** A process's CPU time (user + system), in seconds, from /proc (read by `cat`: Deno reads /proc only with --allow-all). */
const cpuOf = async (pid: number): Promise<number> => {
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`], stdout: "piped", stderr: "null" })
    .output();
  // the fields after the command's name (which is in parentheses and may hold spaces)
  const fields = new TextDecoder().decode(out.stdout).split(") ")[1]?.split(" ") ?? [];
  return out.success ? (Number(fields[11]) + Number(fields[12])) / 100 : 0;
};

// the feeds: each mote's series, in COPIES slightly shifted copies, interleaved in time order
const readings = await loadSensorReadings();
const events: FeedEvent[] = [];
for (const r of readings) {
  for (let c = 0; c < COPIES; c++) {
    events.push({ k: `m${r.mote_id}c${c}`, v: [r.humidity + 0.5 * c, r.temperature - 0.25 * c], l: r.label });
  }
}
const keys = [...new Set(events.map((e) => e.k))];
const started = performance.now();
console.log(
  `${events.length} events in ${keys.length} feeds, ${PARTITIONS} partitions; load average ${load()}`,
);

// the single-process reference
const t0 = performance.now();
const reference = new Map<string, FeedLearner>(
  keys.map((k) => [k, new FeedLearner(k, clusterLearnerOptions())]),
);
events.forEach((e, i) => reference.get(e.k)!.apply(i + 1, e));
const refSeconds = (performance.now() - t0) / 1000;
const fingerprint = (state: FeedLearnerState["learner"]): string => JSON.stringify(encodeValue(state));
const referenceState = new Map([...reference].map(([k, f]) => [k, fingerprint(f.learner.getState())]));
console.log(`single process: ${(events.length / refSeconds).toFixed(0)} events/s\n`);

const rows: string[] = [];
for (const pool of POOLS) {
  // a pool that fails is recorded, and the next one runs
  rows.push(
    await run(pool).catch((error) => `${String(pool).padStart(7)} | failed: ${(error as Error).message}`),
  );
}
console.log(
  `\nworkers | events/s | before kill | learned | missing | double-applied | bit-identical feeds | takeover`,
);
for (const row of rows) console.log(row);
console.log(`\nwall time ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${load()}`);

async function run(pool: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "rxrnn-cluster-" });
  const server = await startNatsServer({ dir, user: USER, pass: PASS });
  const workers = new Map<string, Deno.ChildProcess>();
  try {
    return await runOn(server, pool, workers);
  } finally {
    for (const child of workers.values()) {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
    }
    await server.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function runOn(
  server: LocalNatsServer,
  pool: number,
  workers: Map<string, Deno.ChildProcess>,
): Promise<string> {
  const nc = await connectNats({ servers: server.url, user: USER, pass: PASS });
  const jsm = await jetstreamManager(nc);
  await ensureFeedStreams(jsm, STREAM, PARTITIONS);
  const js = jetstream(nc);
  // publish, keeping every event's partition and stream sequence
  const seqs = new Array<number>(events.length);
  const tp = performance.now();
  const window: Promise<void>[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    window.push(
      js.publish(feedSubject(e.k, PARTITIONS), JSON.stringify(e)).then((a) => void (seqs[i] = a.seq)),
    );
    if (window.length >= 2000) await Promise.all(window.splice(0));
  }
  await Promise.all(window);
  const pubRate = events.length / ((performance.now() - tp) / 1000);
  const where = seqs.map((s, i) => ({ s, p: partitionOf(events[i].k, PARTITIONS) }));
  const names = clusterNames(STREAM);
  const floors = await new Kvm(nc).create(names.floors);
  const progress = async (): Promise<number> => {
    const floor = await readFloors(floors, PARTITIONS);
    return where.filter(({ s, p }) => s <= floor[p]).length;
  };

  const start = (id: string): void => {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        new URL("../main.ts", import.meta.url).pathname,
        "worker",
        "--nats",
        server.url,
        "--stream",
        STREAM,
        "--id",
        id,
        "--lease-ttl",
        String(LEASE_TTL),
        ...EVERY,
        ...(PUBLISH === undefined ? [] : ["--publish", PUBLISH]),
      ],
      env: { NATS_USER: USER, NATS_PASS: PASS },
      stdin: "null",
      stdout: "piped",
      stderr: VERBOSE ? "inherit" : "null",
    }).spawn();
    workers.set(id, child);
  };
  const tw = performance.now();
  const serverCpu0 = await cpuOf(server.pid), toolCpu0 = await cpuOf(Deno.pid);
  let workerCpu = 0; // of the workers that ended
  for (let i = 0; i < pool; i++) start(`w${i}`);
  let takeover = "", unfinished = -1;
  let killed = false, beforeKill = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const done = await progress();
    if (!killed && done >= 0.4 * events.length) {
      const victim = workers.get("w0")!;
      workerCpu += await cpuOf(victim.pid);
      victim.kill("SIGKILL");
      await victim.status;
      workers.delete("w0");
      killed = true;
      beforeKill = done / ((performance.now() - tw) / 1000);
      start("w0b"); // the replacement (a new member: the old one's leases expire first)
      takeover = `w0 killed at ${done} checkpointed events; w0b replaced it`;
    }
    if (done === events.length) break;
    if ((performance.now() - tw) > CAP_MS) {
      unfinished = done; // recorded, and the next pool size runs
      const floor = await readFloors(floors, PARTITIONS);
      const last = new Array<number>(PARTITIONS).fill(0);
      for (const { s, p } of where) last[p] = Math.max(last[p], s);
      const behind = floor.map((f, p) => `p${p} ${f}/${last[p]}`).filter((_, p) => floor[p] < last[p]);
      console.log(`  unfinished partitions (floor/last): ${behind.join(", ")}`);
      break;
    }
  }
  const seconds = (performance.now() - tw) / 1000;
  for (const child of workers.values()) workerCpu += await cpuOf(child.pid);
  const serverCpu = await cpuOf(server.pid) - serverCpu0, toolCpu = await cpuOf(Deno.pid) - toolCpu0;
  // clean stop (SIGTERM), then read every feed's checkpoint
  for (const child of workers.values()) child.kill("SIGTERM");
  const hard = setTimeout(() => {
    for (const child of workers.values()) {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
    }
  }, 15_000);
  for (const [id, child] of workers) {
    const { stdout } = await child.output();
    console.log(`  ${new TextDecoder().decode(stdout).trim() || `worker ${id}: no report`}`);
  }
  clearTimeout(hard);
  workers.clear();
  const states = await readFeedStates(floors, await new Objm(nc).open(names.checkpoints), PARTITIONS);
  const expected = new Map<string, number>();
  for (const e of events) expected.set(e.k, (expected.get(e.k) ?? 0) + 1);
  let learned = 0, missing = 0, double = 0, identical = 0;
  for (const k of keys) {
    const state = states.get(k);
    const applied = state?.applied ?? 0;
    learned += applied;
    missing += Math.max(0, expected.get(k)! - applied);
    double += Math.max(0, applied - expected.get(k)!);
    if (state !== undefined && fingerprint(state.learner) === referenceState.get(k)) identical++;
  }
  let outputs = "";
  if (PUBLISH !== undefined) {
    // exactly one prediction per event: per feed, as many prediction messages as events (ids are unique)
    const info = await jsm.streams.info(`${STREAM}-out`, { subjects_filter: `${PUBLISH}.*.prediction` });
    const perSubject = info.state.subjects ?? {};
    const exact = keys.filter((k) => perSubject[`${PUBLISH}.${k}.prediction`] === expected.get(k)).length;
    const total = Object.values(perSubject).reduce((a, b) => a + b, 0);
    outputs = `; outputs: ${total} predictions, ${exact}/${keys.length} feeds with exactly one per event`;
  }
  await nc.drain();
  const rate = (unfinished < 0 ? events.length : unfinished) / seconds;
  const status = unfinished < 0
    ? ""
    : ` UNFINISHED in ${(CAP_MS / 1000).toFixed(0)} s (${unfinished} checkpointed);`;
  console.log(
    `${pool} worker(s):${status} published at ${pubRate.toFixed(0)} ev/s; learned ${learned} in ${
      seconds.toFixed(1)
    } s (${
      rate.toFixed(0)
    } ev/s); missing ${missing}; double-applied ${double}; ${identical}/${keys.length} feeds bit-identical${outputs}; ` +
      `CPU s: workers ${workerCpu.toFixed(1)}, nats-server ${serverCpu.toFixed(1)}, this tool ${
        toolCpu.toFixed(1)
      } (${((workerCpu + serverCpu + toolCpu) / seconds).toFixed(2)} cores busy); load average ${load()}`,
  );
  return `${String(pool).padStart(7)} | ${rate.toFixed(0).padStart(8)} | ${
    beforeKill.toFixed(0).padStart(11)
  } | ${String(learned).padStart(7)} | ${String(missing).padStart(7)} | ${String(double).padStart(14)} | ${
    `${identical}/${keys.length}`.padStart(19)
  } | ${takeover}${unfinished < 0 ? "" : `; UNFINISHED: ${unfinished} checkpointed`}`;
}
