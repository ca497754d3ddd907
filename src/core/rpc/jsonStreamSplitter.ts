// Splits a byte stream of concatenated JSON values into whole values: SPDK's RPC server writes replies with no length
// prefix or delimiter, so a reply may span many reads and several replies may share one read.

/** Why the stream cannot be split any further; the connection is unusable after this. */
export class JsonStreamError extends Error {
  constructor(
    message: string,
    readonly reason: 'not_json' | 'too_large',
    /** The first bytes of the offending value, printable, for an error message. */
    readonly sample: string,
  ) {
    super(message);
  }
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** A printable excerpt of raw bytes, for messages about replies that are not JSON-RPC. */
export function printableSample(bytes: Buffer, max = 40): string {
  const text = bytes.subarray(0, max).toString('utf8').replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return bytes.length > max ? `${text}…` : text;
}

/**
 * Incremental splitter for top-level JSON objects and arrays (the only values an SPDK reply can be).
 * Scans bytes once: structural characters are ASCII, so multi-byte UTF-8 inside strings never confuses it.
 */
export class JsonStreamSplitter {
  private parts: Buffer[] = [];
  private valueBytes = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private failed: JsonStreamError | undefined;

  constructor(private readonly maxValueBytes: number) {}

  /** Bytes of a value received so far but not yet complete. */
  get pendingBytes(): number {
    return this.valueBytes;
  }

  /** Feeds one read; returns the values it completed, in order. Throws JsonStreamError on bytes that are not JSON. */
  push(chunk: Buffer): unknown[] {
    if (this.failed) throw this.failed;
    const values: unknown[] = [];
    let start = this.depth > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.depth === 0) {
        if (isJsonWhitespace(byte)) continue;
        if (byte !== OPEN_BRACE && byte !== OPEN_BRACKET) {
          throw this.fail('not_json', `expected a JSON object, got ${JSON.stringify(String.fromCharCode(byte))}`, chunk.subarray(i));
        }
        start = i;
        this.depth = 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
        continue;
      }
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) {
          values.push(this.complete(chunk.subarray(start, i + 1)));
          start = -1;
        }
      }
    }
    if (this.depth > 0 && start >= 0) this.append(chunk.subarray(start));
    return values;
  }

  private append(piece: Buffer): void {
    this.valueBytes += piece.length;
    if (this.valueBytes > this.maxValueBytes) {
      const head = this.parts[0] ?? piece;
      throw this.fail('too_large', `a reply is larger than the ${this.maxValueBytes}-byte cap`, head);
    }
    // Copy: the socket may reuse its read buffer.
    this.parts.push(Buffer.from(piece));
  }

  private complete(tail: Buffer): unknown {
    this.append(tail);
    const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    this.parts = [];
    this.valueBytes = 0;
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw this.fail('not_json', (error as Error).message, bytes);
    }
  }

  private fail(reason: JsonStreamError['reason'], message: string, bytes: Buffer): JsonStreamError {
    this.failed = new JsonStreamError(message, reason, printableSample(bytes));
    this.parts = [];
    return this.failed;
  }
}
