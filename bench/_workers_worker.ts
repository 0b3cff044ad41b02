/**
 * One worker of `workers_report.ts`: a plain B2 loop over its share of the m columns,
 * one window per message, answering with the window's loss once its gradients are folded.
 *
 * @module
 */
import { createBackend } from "../src/kernels/mod.ts";
import { B2, makePlainLoop } from "./_core_work.ts";

const self = globalThis as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
};
let loop: ReturnType<typeof makePlainLoop> | null = null;
self.onmessage = (e: MessageEvent) => {
  const { columns, backend, seed } = e.data as { columns: number; backend: string; seed: number };
  if (columns !== undefined) {
    loop = makePlainLoop({ ...B2, m: columns, seed, backend: createBackend(backend) });
    self.postMessage("ready");
    return;
  }
  self.postMessage(loop!.runWindow());
};
