// A stand-in for spdk_tgt's RPC server on a real Unix socket: it reads concatenated JSON requests and answers with
// the bytes recorded from a real target (only the id is rewritten), written whole, byte by byte, or batched. Shared by
// the unit tests, the webview tests and the e2e tests (which serve it to a real VS Code from the test process).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonStreamSplitter } from '../../src/core/rpc/jsonStreamSplitter';

const REPO_ROOT = join(__dirname, '..', '..');

export const RPC_FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'spdk-rpc');

export function fixtureBytes(relativePath: string): Buffer {
  return readFileSync(join(RPC_FIXTURES, relativePath));
}

export function fixtureResult(relativePath: string): unknown {
  return (JSON.parse(fixtureBytes(relativePath).toString('utf8')) as { result: unknown }).result;
}

/** A recorded reply with its top-level id (right after "jsonrpc":"2.0", as SPDK writes it) replaced. */
export function withId(recorded: Buffer | string, id: unknown): Buffer {
  const text = recorded.toString();
  const replaced = text.replace(/^\{"jsonrpc":"2\.0","id":(?:-?\d+|"[^"]*"|null)/, `{"jsonrpc":"2.0","id":${JSON.stringify(id)}`);
  if (replaced === text && !text.startsWith(`{"jsonrpc":"2.0","id":${JSON.stringify(id)}`)) throw new Error(`recorded reply has no leading id: ${text.slice(0, 60)}`);
  return Buffer.from(replaced);
}

export interface FakeRequest {
  method: string;
  id: unknown;
  params?: unknown;
}

export type WriteMode = 'whole' | 'byte-by-byte';

export interface FakeConnection {
  socket: net.Socket;
  /** Writes bytes the way the target was told to (whole or one byte per write). */
  send(bytes: Buffer | string): Promise<void>;
}

export type Responder = (request: FakeRequest, connection: FakeConnection) => void | Promise<void>;

/** The recorded -32601 reply (wire/09_error_unknown_method). */
export const METHOD_NOT_FOUND_REPLY = fixtureBytes('wire/09_error_unknown_method.response.bin');

/** Answers each method with `<dir>/<method>.json` as recorded, and -32601 (as recorded) when there is no recording. */
export function replayRecordings(dir: string): Responder {
  return async (request, connection) => {
    const file = join(RPC_FIXTURES, dir, `${request.method}.json`);
    await connection.send(withId(existsSync(file) ? readFileSync(file) : METHOD_NOT_FOUND_REPLY, request.id));
  };
}

export class FakeSpdkTarget {
  readonly requests: FakeRequest[] = [];
  connections = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly path: string,
    /** The temp folder start() made for the socket (removed by stop()), or undefined when the caller chose the path. */
    private readonly dir: string | undefined,
    private readonly server: net.Server,
  ) {}

  /** Listens on `socketPath` when given (the caller owns its folder), else on spdk.sock in a fresh temp folder. */
  static async start(responder: Responder, writeMode: WriteMode = 'whole', socketPath?: string): Promise<FakeSpdkTarget> {
    const dir = socketPath === undefined ? mkdtempSync(join(tmpdir(), 'spdk-lens-fake-tgt-')) : undefined;
    const path = socketPath ?? join(dir!, 'spdk.sock');
    const server = net.createServer();
    const target = new FakeSpdkTarget(path, dir, server);
    server.on('connection', (socket) => {
      target.connections++;
      target.sockets.add(socket);
      socket.on('close', () => target.sockets.delete(socket));
      socket.on('error', () => undefined);
      const splitter = new JsonStreamSplitter(1 << 20);
      // One reply at a time, as spdk_tgt writes them: byte-by-byte replies must not interleave.
      let writing = Promise.resolve();
      const connection: FakeConnection = {
        socket,
        send: (bytes) => {
          const buffer = Buffer.from(bytes);
          writing = writing.then(async () => {
            if (writeMode === 'whole') {
              socket.write(buffer);
              return;
            }
            for (let i = 0; i < buffer.length && !socket.destroyed; i++) {
              socket.write(buffer.subarray(i, i + 1));
              await new Promise((resolve) => setImmediate(resolve));
            }
          });
          return writing;
        },
      };
      socket.on('data', (chunk: Buffer) => {
        let values: unknown[];
        try {
          values = splitter.push(chunk);
        } catch {
          socket.destroy(); // like spdk_tgt: a request it cannot parse closes the connection
          return;
        }
        for (const value of values) {
          const request = value as FakeRequest;
          target.requests.push(request);
          void responder(request, connection);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return target;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Gone as a stopped spdk_tgt's socket is, so a client sees "no socket" rather than "refused".
    rmSync(this.dir ?? this.path, { recursive: true, force: true });
  }
}
