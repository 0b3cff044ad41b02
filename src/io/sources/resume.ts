/**
 * Resuming a feed after a reconnection from the last sequence number delivered.
 *
 * @module
 */

/**
 * How a reconnecting line source ({@linkcode fromHttpLines}, {@linkcode fromWebSocket})
 * asks the server for the events after the last one it delivered: each line is a JSON
 * object whose `field` holds a sequence number, and on every reconnection the URL's
 * query parameter `param` is set to that number + 1 (replacing any value it had, such
 * as a `?from=` given at the start).
 */
export interface ResumeOptions {
  /** The JSON field of a line that holds its sequence number (an integer >= 0). @default {"seq"} */
  field?: string;
  /** The URL query parameter set to the next sequence number on each reconnection. @default {"from"} */
  param?: string;
}
