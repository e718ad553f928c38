import type { Signal } from '@preact/signals';
import { ImportError } from '../core/transfer';

/** A line shown after an action: what it did, or what went wrong. */
export interface Notice {
  text: string;
  error?: boolean;
}

/**
 * What went wrong, in words: an ImportError says it all (it is written for people); anything
 * else is unexpected and is named after what failed.
 */
export function messageOf(error: unknown, failure: string): string {
  if (error instanceof ImportError) return error.message;
  return `${failure}: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * Run an action the user started and end it in a notice, success or failure: never an
 * uncaught rejection, never silence. `failure` names the action for unexpected errors
 * ("Export failed").
 */
export async function runAction(
  notice: Signal<Notice | null>,
  action: () => Promise<string>,
  failure: string,
): Promise<void> {
  try {
    notice.value = { text: await action() };
  } catch (error) {
    notice.value = { text: messageOf(error, failure), error: true };
  }
}
