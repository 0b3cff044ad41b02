/**
 * The starting parameters of a trainer from its options: a resume snapshot's, the
 * given ones, or fresh ones of the given sizes. Shared by train() and prequential().
 *
 * @module
 */
import { checkParams, initParams } from "./params.ts";
import type { RnnParams, RnnSizes } from "./params.ts";

/** The options that choose a trainer's starting parameters. */
export interface InitialParamsOptions {
  /** Parameters to start from. */
  params?: RnnParams;
  /** Sizes of fresh parameters. */
  sizes?: RnnSizes;
  /** Initialisation of fresh parameters. */
  init?: "xavier" | "randn";
  /** Seed of fresh parameters. */
  seed?: number;
  /** A snapshot whose parameters win over the rest. */
  resume?: { params: RnnParams };
}

/** Returns the checked starting parameters (not copied), or throws naming `fn`. */
export function initialParams(fn: string, options: InitialParamsOptions): RnnParams {
  const initial = options.resume?.params ?? options.params ??
    (options.sizes !== undefined
      ? initParams(options.sizes, { init: options.init, seed: options.seed })
      : undefined);
  if (initial === undefined) {
    throw new TypeError(`Cannot create ${fn} as one of 'params', 'sizes' or 'resume' is required: got none`);
  }
  checkParams(initial);
  return initial;
}
