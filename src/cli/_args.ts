/**
 * Argument parsing for the CLI: `node:util`'s `parseArgs` in strict mode, with every
 * failure turned into a one-line {@linkcode UsageError}, and typed value readers.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { backendNames } from "../kernels/create_backend.ts";
import { closest } from "./_suggest.ts";

/** A command line that cannot be run as given (exit code 2). */
export class UsageError extends Error {
  /** @param message What is wrong, one line. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The option specification of `parseArgs`. */
export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

/** Parsed option values: strings and booleans, undefined when not given. */
export type OptionValues = Record<string, string | boolean | undefined>;

/** Parses `args` strictly against `spec` (no positionals); throws a UsageError naming the command. */
export function parseOptions(command: string, args: readonly string[], spec: OptionSpec): OptionValues {
  // parseArgs refuses `--seed -3` as "ambiguous": a negative number after a string option is its value
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? args[i].slice(2) : "";
    if (spec[name]?.type === "string" && /^-\.?\d/.test(args[i + 1] ?? "")) {
      joined.push(`--${name}=${args[++i]}`);
    } else joined.push(args[i]);
  }
  try {
    const { values } = parseArgs({ args: joined, options: spec, strict: true, allowPositionals: false });
    return values as OptionValues;
  } catch (error) {
    const first = String((error as Error).message).split("\n")[0].replace(/\.$/, "");
    const unknown = /^Unknown option '--?([^']+)'/.exec(first)?.[1];
    const near = unknown === undefined ? undefined : closest(unknown, Object.keys(spec));
    const hint = near === undefined ? "" : `: did you mean --${near}?`;
    throw new UsageError(
      `${command}: ${first.replace(/\. To specify a positional.*$/, "")}${hint} (see '${command} --help')`,
    );
  }
}

/** Reads an optional string option. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
}

/** Options of {@linkcode numberOption}. */
export interface NumberOptionOptions {
  /** Require an integer. */
  integer?: boolean;
  /** Smallest allowed value. */
  min?: number;
  /** Values must be strictly greater than this. */
  above?: number;
}

/** Reads an optional number option (undefined when not given); throws a UsageError for text that is not a valid number. */
export function numberOption(
  values: OptionValues,
  name: string,
  options: NumberOptionOptions = {},
): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const { integer = false, min, above } = options;
  const value = text.trim() === "" ? NaN : Number(text.replace(/_/g, ""));
  const kind = integer ? "an integer" : "a number";
  const bound = min !== undefined ? ` >= ${min}` : above !== undefined ? ` > ${above}` : "";
  if (
    !Number.isFinite(value) || (integer && !Number.isSafeInteger(value)) ||
    (min !== undefined && value < min) ||
    (above !== undefined && !(value > above))
  ) {
    throw new UsageError(`--${name} must be ${kind}${bound}: got '${text}'`);
  }
  return value;
}

/** Reads an optional duration in seconds: `90`, `90s`, `1.5m`, `2h`. */
export function durationOption(values: OptionValues, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$/.exec(text);
  const seconds = match === null ? NaN : Number(match[1]) * ({ s: 1, m: 60, h: 3600 }[match[2] ?? "s"] ?? 1);
  if (!(seconds > 0)) {
    throw new UsageError(`--${name} must be a duration > 0 such as 90, 90s, 1.5m or 2h: got '${text}'`);
  }
  return seconds;
}

/** Reads an optional choice among fixed values. */
export function choiceOption<T extends string>(
  values: OptionValues,
  name: string,
  choices: readonly T[],
): T | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  if (!choices.includes(text as T)) {
    throw new UsageError(`--${name} must be one of ${choices.join(", ")}: got '${text}'`);
  }
  return text as T;
}

/** Reads `--backend NAME`, one of the registered kernel backends (undefined when not given). */
export function backendOption(values: OptionValues, command: string): string | undefined {
  const text = stringOption(values, "backend");
  if (text === undefined) return undefined;
  const names = backendNames();
  if (!names.includes(text)) {
    throw new UsageError(`${command}: --backend must be one of ${names.join(", ")}: got '${text}'`);
  }
  return text;
}
