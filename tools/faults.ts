/**
 * The fault suite: runs each registered fault case (tools/faults/cases.ts; real
 * processes where it matters) and prints, per case, how many faults were tried, how
 * many were handled as promised and how many events were lost, as a table and a final
 * line. Exits 1 when a case lost events or failed.
 *
 * ```sh
 * deno task faults            # every case
 * deno task faults pause      # the cases whose name contains "pause"
 * ```
 *
 * @module
 */
import { faultCases } from "./faults/cases.ts";
import type { FaultResult } from "./faults/_case.ts";

if (import.meta.main) {
  const filter = Deno.args[0] ?? "";
  const rows: { name: string; result: FaultResult | null; ms: number; error?: string }[] = [];
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (v: number) => String(v).padStart(9);
  console.log(
    `${pad("case", 38)} ${"tried".padStart(9)} ${"handled".padStart(9)} ${"lost".padStart(9)}  note`,
  );
  for (const c of faultCases.filter((c) => c.name.includes(filter))) {
    const t0 = performance.now();
    let row: (typeof rows)[number];
    try {
      row = { name: c.name, result: await c.run(), ms: performance.now() - t0 };
    } catch (err) {
      row = { name: c.name, result: null, ms: performance.now() - t0, error: (err as Error).message };
    }
    rows.push(row);
    const r = row.result;
    console.log(
      r
        ? `${pad(c.name, 38)} ${num(r.tried)} ${num(r.handled)} ${num(r.lost)}  ${r.note ?? ""} [${
          (row.ms / 1000).toFixed(1)
        } s]`
        : `${pad(c.name, 38)} ${"FAILED".padStart(29)}  ${row.error}`,
    );
  }
  const ok = rows.filter((r) => r.result && r.result.lost === 0 && r.result.handled === r.result.tried);
  const sum = (k: keyof FaultResult) => rows.reduce((s, r) => s + ((r.result?.[k] as number) ?? 0), 0);
  const seconds = rows.reduce((s, r) => s + r.ms, 0) / 1000;
  console.log(
    `faults: ${ok.length}/${rows.length} cases handled, tried ${sum("tried")}, handled ${
      sum("handled")
    }, lost ${sum("lost")} (${seconds.toFixed(1)} s)`,
  );
  // a case may end with sockets or timers of the system under test still settling
  Deno.exit(ok.length === rows.length ? 0 : 1);
}
