/**
 * `rxrnn dashboard --log FILE`: draws a metrics log (written by `train --log` or
 * `live --log`) in the browser, and with `--follow` keeps drawing what is appended.
 *
 * @module
 */
import { durationOption, numberOption, parseOptions, stringOption, UsageError } from "./_args.ts";
import type { OptionSpec } from "./_args.ts";
import { out } from "./_io.ts";
import { readText } from "./_train_data.ts";
import { startDashboard } from "./dashboard/dashboard_server.ts";
import { parseMetricsLog } from "./dashboard/metrics.ts";

const SPEC: OptionSpec = {
  log: { type: "string" },
  port: { type: "string" },
  follow: { type: "boolean" },
  time: { type: "string" },
  help: { type: "boolean", short: "h" },
};

/** The help text of `dashboard`. */
export const DASHBOARD_HELP: string =
  `Draw a metrics log in the browser: loss, held-out bits/char, gradient norm,
steps/s and samples of a training run, or the forecasts, flags and counters of a live run.

Usage: rxrnn dashboard --log FILE [options]

  --log FILE           the metrics log (JSON lines from 'train --log' or 'live --log')
  --port N             the port on 127.0.0.1 (default: a free one; the URL is printed)
  --follow             keep reading what is appended to the log (a run still going)
  --time DURATION      stop serving after this long (default: until Ctrl-C)
  -h, --help           show this help

Example:
  deno run --allow-read=. --allow-write=out main.ts train --log out/run.jsonl
  deno run --allow-read=out --allow-net=127.0.0.1 main.ts dashboard --log out/run.jsonl
`;

/**
 * Runs `dashboard` with the given arguments: serves until Ctrl-C, SIGTERM or `--time`.
 *
 * @param args The arguments after `dashboard`.
 * @returns The exit code.
 */
export async function dashboardCommand(args: readonly string[]): Promise<number> {
  const values = parseOptions("dashboard", args, SPEC);
  if (values.help) {
    out(DASHBOARD_HELP);
    return 0;
  }
  const path = stringOption(values, "log");
  if (path === undefined) throw new UsageError("dashboard: --log FILE is required (see 'dashboard --help')");
  const port = numberOption(values, "port", { integer: true, min: 0 }) ?? 0;
  if (port > 65535) throw new UsageError(`--port must be an integer in [0, 65535]: got '${port}'`);
  const time = durationOption(values, "time");
  let messages = parseMetricsLog(await readText(path));
  const dashboard = await startDashboard({
    title: `log: ${path}`,
    port,
    history: Math.max(5000, messages.length),
  });
  for (const m of messages) dashboard.publish(m);
  out(`log: ${path} (${messages.length.toLocaleString("en-US")} points)\n`);
  out(`dashboard: ${dashboard.url}\n`);
  const stop = Promise.withResolvers<void>();
  const timers: ReturnType<typeof setTimeout>[] = [];
  if (time !== undefined) timers.push(setTimeout(stop.resolve, time * 1000));
  if (values.follow) {
    let seen = messages.length;
    timers.push(setInterval(async () => {
      try {
        messages = parseMetricsLog(await readText(path));
      } catch {
        return; // a line half written: read again on the next tick
      }
      for (const m of messages.slice(seen)) dashboard.publish(m);
      seen = messages.length;
    }, 500));
  }
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const signal of signals) Deno.addSignalListener(signal, stop.resolve);
  try {
    await stop.promise;
  } finally {
    for (const id of timers) clearTimeout(id);
    for (const signal of signals) Deno.removeSignalListener(signal, stop.resolve);
    await dashboard.close();
  }
  return 0;
}
