/**
 * The shape of a fault case of `deno task faults` (tools/faults.ts).
 *
 * @module
 */

/** What a fault case measured: how many faults it tried, how many were handled, how many events were lost. */
export interface FaultResult {
  /** Faults (or events under a fault) tried. */
  tried: number;
  /** Those handled as promised (refused, skipped and counted, delivered once). */
  handled: number;
  /** Events lost or duplicated (should be 0). */
  lost: number;
  /** A short note: the figure that matters (time, memory, status codes). */
  note?: string;
}

/** One fault case: a name, and a function that runs it (real processes where it matters). */
export interface FaultCase {
  /** A short name, e.g. `long-line-stdin`. */
  name: string;
  /** Runs the case. */
  run(): Promise<FaultResult>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Waits until `ready()` (checked every 20 ms), failing after `ms` instead of hanging. */
export async function until(what: string, ready: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
