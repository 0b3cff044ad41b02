/** Runs a fromIngest() endpoint for a test: its port, the lines it emitted, and its teardown. */
import { fromIngest } from "../../../mod.ts";
import type { FromIngestOptions, IngestInfo } from "../../../mod.ts";
import type { Observable, OperatorFunction } from "rxjs";

/** A running endpoint. */
export interface Endpoint<T> {
  /** Its base URL. */
  url: string;
  /** Its port. */
  port: number;
  /** What it emitted (after `pipe`). */
  out: T[];
  /** The stream's error, if any. */
  error(): unknown;
}

/** Starts fromIngest(options) piped through `pipe`, runs `fn`, then shuts it down. */
export async function withIngest<T = string>(
  options: FromIngestOptions,
  fn: (endpoint: Endpoint<T>) => Promise<void>,
  pipe: OperatorFunction<string, T> = (s) => s as unknown as Observable<T>,
): Promise<void> {
  let info: IngestInfo | undefined;
  const listening = Promise.withResolvers<void>();
  const out: T[] = [];
  let error: unknown;
  const sub = fromIngest({
    ...options,
    onListen: (i) => {
      info = i;
      listening.resolve();
    },
  }).pipe(pipe).subscribe({ next: (v) => out.push(v), error: (e) => error = e });
  try {
    await listening.promise;
    await fn({ url: `http://127.0.0.1:${info!.port}/`, port: info!.port, out, error: () => error });
  } finally {
    sub.unsubscribe();
    await info?.finished;
  }
}
