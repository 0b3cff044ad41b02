/**
 * A partition's floor: the manifest of its checkpoints, one KV value per partition,
 * written only by compare-and-set on the key's revision. It names, per feed, the
 * checkpoint segment that holds the feed's state and the last stream sequence applied;
 * `floor` is the partition stream's sequence that the segments cover (the next holder
 * reads from floor + 1), and `generation` is the fencing token of the holding that
 * wrote it. A holding claims a partition by writing the record back with generation + 1
 * (compare-and-set on the revision it read); from then on, a write by any older holding
 * fails, because its revision is no longer the key's last one. The segments a stale
 * holder writes are never named by the floor, so they can never be loaded.
 *
 * @module
 */
import type { KV } from "../io/nats/nats_deps.ts";

/** Where a feed's state is. */
export interface FloorFeed {
  /** The segment (an Object Store object) holding the feed's state. */
  object: string;
  /** The feed's last applied stream sequence, as the segment holds it. */
  seq: number;
}

/** A partition's floor (the manifest of its checkpoints). */
export interface FloorRecord {
  /** The partition stream's sequence covered: every event at or below it is in the feeds' states. */
  floor: number;
  /** The fencing token of the holding that wrote it (0: never claimed). */
  generation: number;
  /** That holding's worker id (for logs). */
  holder: string;
  /** Per feed key: its segment and last applied sequence. */
  feeds: Record<string, FloorFeed>;
}

/** A floor write refused because another holding wrote the floor since (a stale holder). */
export class FencedWrite extends Error {
  /** @param message What was refused. */
  constructor(message: string) {
    super(message);
    this.name = "FencedWrite";
  }
}

/** The key of a partition's floor. */
export function floorKey(p: number): string {
  return `floor.${p}`;
}

/** An empty floor (a partition never checkpointed). */
export function emptyFloor(): FloorRecord {
  return { floor: 0, generation: 0, holder: "", feeds: {} };
}

/** Parses a stored floor; a value that is not one is an error (never read as empty). */
export function parseFloor(text: string, p: number): FloorRecord {
  let value: Partial<FloorRecord>;
  try {
    value = JSON.parse(text);
  } catch {
    value = {};
  }
  const ok = value !== null && typeof value === "object" && Number.isSafeInteger(value.floor) &&
    value.floor! >= 0 && Number.isSafeInteger(value.generation) && value.generation! >= 0 &&
    typeof value.holder === "string" && typeof value.feeds === "object" && value.feeds !== null &&
    Object.values(value.feeds).every((f) =>
      typeof f?.object === "string" && Number.isSafeInteger(f.seq) && f.seq >= 0 && f.seq <= value.floor!
    );
  if (!ok) {
    throw new TypeError(
      `Cannot read the floor of partition ${p} as it must be a floor record: current value is ${
        text.slice(0, 80)
      }`,
    );
  }
  return value as FloorRecord;
}

/** Reads a partition's floor and the key's revision (0 when it was never written). */
export async function readFloor(
  floors: KV,
  p: number,
): Promise<{ record: FloorRecord; revision: number }> {
  const entry = await floors.get(floorKey(p));
  if (entry === null) return { record: emptyFloor(), revision: 0 };
  if (entry.operation !== "PUT" || entry.length === 0) {
    return { record: emptyFloor(), revision: entry.revision };
  }
  return { record: parseFloor(entry.string(), p), revision: entry.revision };
}

/**
 * Writes a partition's floor if its revision is still `revision` (0: if it was never
 * written), and returns the new revision.
 *
 * @throws {FencedWrite} When another holding wrote it since (the write is refused).
 */
export async function writeFloor(
  floors: KV,
  p: number,
  record: FloorRecord,
  revision: number,
): Promise<number> {
  const text = JSON.stringify(record);
  try {
    return revision === 0
      ? await floors.create(floorKey(p), text)
      : await floors.update(floorKey(p), text, revision);
  } catch (error) {
    if (isWrongRevision(error)) {
      throw new FencedWrite(
        `the floor of partition ${p} changed since revision ${revision} (another holding wrote it)`,
      );
    }
    throw error;
  }
}

/** Whether a KV write failed on its expected revision (not a transport failure, whose outcome is unknown). */
function isWrongRevision(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 10071 || code === 10164 || /wrong last sequence/i.test((error as Error)?.message ?? "");
}

/** The segments a floor names. */
export function segmentsOf(record: FloorRecord): Set<string> {
  return new Set(Object.values(record.feeds).map((f) => f.object));
}
