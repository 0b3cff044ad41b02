/**
 * The registration file of `deno task faults`: each area adds its list of cases here
 * (one import and one entry per area), in the order the table prints them.
 *
 * @module
 */
import type { FaultCase } from "./_case.ts";
import { longLineCases } from "./long_lines.ts";
import { hugeValueCases } from "./huge_values.ts";
import { pauseCases } from "./pause_pushers.ts";
import { restartCases } from "./feed_restart.ts";
import { ingestCases } from "./ingest_guards.ts";
import { checkpointCases } from "./checkpoints.ts";

/** Every fault case, grouped by area. */
export const faultCases: FaultCase[] = [
  ...longLineCases,
  ...hugeValueCases,
  ...pauseCases,
  ...restartCases,
  ...ingestCases,
  ...checkpointCases,
];
