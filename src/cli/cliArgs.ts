// Option parsing for every spdk-lens command: node:util parseArgs, with its errors turned into the one UsageError that
// main() prints with the usage text (exit code 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict parse of `args` against `options`; a wrong option, a missing value or a stray argument is a UsageError. */
export function parseCliArgs<O extends Options>(args: string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((error as Error).message);
    throw error;
  }
}
