/**
 * The one module that names the rxjs package with its full `npm:` specifier.
 *
 * Everything else in `src/` imports rxjs from here, so `mod.ts` works when it is
 * imported by URL from a folder that has no `deno.json` (the library's import map
 * is not applied there, and a bare `"rxjs"` would not resolve).
 *
 * @module
 */
export { EMPTY, from, map, Observable, pipe, reduce } from "npm:rxjs@^7.8.2";
export type { MonoTypeOperatorFunction, OperatorFunction, Subscriber } from "npm:rxjs@^7.8.2";
export { asyncScheduler } from "npm:rxjs@^7.8.2";
export { Subject, Subscription } from "npm:rxjs@^7.8.2";
export type { SchedulerAction, SchedulerLike } from "npm:rxjs@^7.8.2";
export { takeWhile } from "npm:rxjs@^7.8.2";
