/**
 * The dashboard's web server: on 127.0.0.1 at a free port, it serves the page (shipped
 * with the project, no external library) and pushes every metrics message to the page
 * over Server-Sent Events. A page that connects late first receives the history.
 *
 * Routes: `/` the page, `/events` the SSE stream (`event: metrics`), `/metrics.json` the
 * history as a JSON array.
 *
 * @module
 */
import type { Metrics } from "./metrics.ts";
import { DASHBOARD_PAGE } from "./_page.ts";

/** Options of {@linkcode startDashboard}. */
export interface DashboardOptions {
  /** The page's title. @default {"rxrnn"} */
  title?: string;
  /** The port; 0 picks a free one. @default {0} */
  port?: number;
  /** Messages kept for pages that connect later (the oldest are dropped). @default {5000} */
  history?: number;
}

/** A running dashboard. */
export interface Dashboard {
  /** The page's address, `http://127.0.0.1:PORT/`. */
  readonly url: string;
  /** Sends a message to every open page and keeps it in the history. */
  publish(message: Metrics): void;
  /** Pages connected now. */
  readonly clients: number;
  /** Ends every stream and stops the server. */
  close(): Promise<void>;
}

/**
 * Starts a dashboard server on 127.0.0.1.
 *
 * @param options The title, port and history length.
 * @returns The running dashboard, once it listens.
 * @throws {RangeError} When `port` or `history` is out of range.
 *
 * @example Usage
 * ```ts
 * import { startDashboard } from "./dashboard_server.ts";
 * import { assertStrictEquals } from "@std/assert";
 *
 * const dashboard = await startDashboard({ title: "demo" });
 * dashboard.publish({ kind: "train", step: 10, time: 1, bitsPerChar: 4, meanLoss: 2.8, gradNorm: 1, stepsPerSecond: 10, learningRate: 0.01 });
 * const history = await (await fetch(new URL("metrics.json", dashboard.url))).json();
 * assertStrictEquals(history[0].step, 10);
 * await dashboard.close();
 * ```
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const { title = "rxrnn", port = 0, history = 5000 } = options;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot start dashboard as 'port' must be an integer in [0, 65535]: current value is ${port}`,
    );
  }
  if (!Number.isSafeInteger(history) || history < 1) {
    throw new RangeError(
      `Cannot start dashboard as 'history' must be an integer >= 1: current value is ${history}`,
    );
  }
  const kept: string[] = [];
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const encoder = new TextEncoder();
  const page = DASHBOARD_PAGE.replaceAll("%TITLE%", escapeHtml(title));
  const frame = (json: string) => encoder.encode(`event: metrics\ndata: ${json}\n\n`);

  const handler = (request: Request): Response => {
    const { pathname } = new URL(request.url);
    if (pathname === "/") {
      return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (pathname === "/metrics.json") {
      return new Response(`[${kept.join(",")}]`, { headers: { "content-type": "application/json" } });
    }
    if (pathname === "/events") {
      let self: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          self = controller;
          controller.enqueue(encoder.encode("retry: 1000\n\n"));
          for (const json of kept) controller.enqueue(frame(json));
          streams.add(controller);
        },
        cancel() {
          streams.delete(self);
        },
      });
      return new Response(body, {
        headers: { "content-type": "text/event-stream", "cache-control": "no-store" },
      });
    }
    return new Response("not found", { status: 404 });
  };

  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: (addr) => listening.resolve(addr as Deno.NetAddr) },
    handler,
  );
  const addr = await listening.promise;
  return {
    url: `http://127.0.0.1:${addr.port}/`,
    get clients() {
      return streams.size;
    },
    publish(message: Metrics): void {
      const json = JSON.stringify(message);
      kept.push(json);
      if (kept.length > history) kept.splice(0, kept.length - history);
      const bytes = frame(json);
      for (const controller of streams) {
        try {
          controller.enqueue(bytes);
        } catch {
          streams.delete(controller);
        }
      }
    },
    async close(): Promise<void> {
      for (const controller of streams) {
        try {
          controller.close();
        } catch {
          // already closed by the page
        }
      }
      streams.clear();
      await server.shutdown();
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
