// JSON-RPC 2.0 client for SPDK's RPC server (the socket spdk_tgt opens with -r): pipelined calls matched by id,
// a timeout and a cancel per call, a cap on reply size, and a fresh connection after the peer closes.
import { statSync } from 'node:fs';
import * as net from 'node:net';
import { JsonStreamError, JsonStreamSplitter, printableSample } from './jsonStreamSplitter';
import { formatRpcAddress, parseRpcAddress, type SpdkRpcAddress } from './rpcAddress';
import { JSONRPC_METHOD_NOT_FOUND, SpdkRpcError, type SpdkRpcErrorCode } from './rpcErrors';

export interface SpdkRpcClientOptions {
  /** Per call, from the call to its reply, including connecting. */
  timeoutMs?: number;
  /** Largest single reply accepted; bdev_get_bdevs on a big target is megabytes, not gigabytes. */
  maxResponseBytes?: number;
}

export interface SpdkRpcCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export const DEFAULT_RPC_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

interface PendingCall {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: SpdkRpcError) => void;
}

interface Connection {
  socket: net.Socket;
  ready: Promise<void>;
  connected: boolean;
  splitter: JsonStreamSplitter;
  /** Set once the connection failed, so 'close' after 'error' does not report twice. */
  failure?: SpdkRpcError;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class SpdkRpcClient {
  readonly address: SpdkRpcAddress;
  /** The address as shown in messages. */
  readonly label: string;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private connection: Connection | undefined;
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;

  constructor(address: string | SpdkRpcAddress | undefined, options: SpdkRpcClientOptions = {}) {
    this.address = typeof address === 'object' ? address : parseRpcAddress(address);
    this.label = formatRpcAddress(this.address);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  /** Calls one method; resolves with its `result`, rejects with an SpdkRpcError. */
  call<T = unknown>(method: string, params?: Record<string, unknown>, options: SpdkRpcCallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const signal = options.signal;
      if (signal?.aborted) {
        reject(this.error('cancelled', `${method} on ${this.label} was cancelled before it was sent`, method));
        return;
      }
      const id = this.nextId++;
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => settle(() => reject(this.error('cancelled', `${method} on ${this.label} was cancelled`, method)));
      const settle = (finish: () => void) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.pending.size === 0) this.connection?.socket.unref();
        finish();
      };
      this.pending.set(id, {
        method,
        resolve: (result) => settle(() => resolve(result as T)),
        reject: (error) => settle(() => reject(error)),
      });
      timer = setTimeout(() => {
        const connected = this.connection?.connected ?? false;
        const why = connected
          ? 'the target is connected but did not answer: it may be busy or stalled (a blocked app_thread), or this socket is not an SPDK RPC server'
          : 'could not even connect: check that the address is right and reachable';
        settle(() => reject(this.error('timeout', `${method} got no reply from ${this.label} within ${timeoutMs} ms; ${why}`, method)));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      const request = JSON.stringify(params === undefined ? { jsonrpc: '2.0', method, id } : { jsonrpc: '2.0', method, id, params });
      const connection = this.connect();
      connection.socket.ref();
      connection.ready.then(
        () => {
          if (this.pending.has(id) && !connection.socket.destroyed) connection.socket.write(request);
        },
        () => undefined, // the connection's failure already rejected every pending call
      );
    });
  }

  /** Closes the connection; pending calls fail with connection_closed. The next call reconnects. */
  close(): void {
    const connection = this.connection;
    if (!connection) return;
    this.failConnection(connection, this.error('connection_closed', `the connection to ${this.label} was closed by the client`));
  }

  private connect(): Connection {
    if (this.connection && !this.connection.socket.destroyed && !this.connection.failure) return this.connection;
    const socket = this.address.kind === 'unix' ? net.connect({ path: this.address.path }) : net.connect({ host: this.address.host, port: this.address.port });
    let markReady!: () => void;
    let markFailed!: (error: SpdkRpcError) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    ready.catch(() => undefined);
    const connection: Connection = { socket, ready, connected: false, splitter: new JsonStreamSplitter(this.maxResponseBytes) };
    this.connection = connection;
    socket.once('connect', () => {
      connection.connected = true;
      markReady();
    });
    socket.on('data', (chunk: Buffer) => this.onData(connection, chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const mapped = this.socketError(error, connection.connected);
      markFailed(mapped);
      this.failConnection(connection, mapped);
    });
    socket.on('close', () => {
      const methods = [...this.pending.values()].map((p) => p.method);
      const waiting = methods.length > 0 ? ` before answering ${methods.join(', ')}` : '';
      const closedError = this.error(
        'connection_closed',
        `${this.label} closed the connection${waiting}; SPDK closes a connection when it cannot parse a request, or the target exited`,
      );
      markFailed(closedError);
      this.failConnection(connection, closedError);
    });
    return connection;
  }

  private onData(connection: Connection, chunk: Buffer): void {
    if (connection.failure) return;
    let values: unknown[];
    try {
      values = connection.splitter.push(chunk);
    } catch (error) {
      if (!(error instanceof JsonStreamError)) throw error;
      const mapped =
        error.reason === 'too_large'
          ? this.error('response_too_large', `a reply from ${this.label} is larger than the ${this.maxResponseBytes}-byte cap (maxResponseBytes); raise the cap if the target is really that big`)
          : this.error('not_spdk', `${this.label} replied with something that is not JSON (${error.sample}): is this SPDK's RPC socket (spdk_tgt -r)?`);
      this.failConnection(connection, mapped);
      return;
    }
    for (const value of values) {
      for (const reply of Array.isArray(value) ? value : [value]) {
        if (!this.onReply(connection, reply)) return;
      }
    }
  }

  /** Delivers one reply; false when it proved the peer is not an SPDK RPC server (the connection is then dropped). */
  private onReply(connection: Connection, reply: unknown): boolean {
    if (!isRecord(reply) || !('id' in reply) || !('result' in reply || isRecord(reply.error))) {
      const sample = printableSample(Buffer.from(JSON.stringify(reply) ?? ''));
      this.failConnection(connection, this.error('not_spdk', `${this.label} replied with JSON that is not a JSON-RPC 2.0 response (${sample}): is this SPDK's RPC socket?`));
      return false;
    }
    const error = isRecord(reply.error) ? reply.error : undefined;
    if (reply.id === null && error) {
      // The server could not read a request as a request; it cannot say which, so every pending call learns of it.
      for (const call of [...this.pending.values()]) call.reject(this.methodError(call.method, error));
      return true;
    }
    const call = typeof reply.id === 'number' ? this.pending.get(reply.id) : undefined;
    if (!call) return true; // a late reply to a call that timed out or was cancelled
    if (error) call.reject(this.methodError(call.method, error));
    else call.resolve(reply.result);
    return true;
  }

  private methodError(method: string, error: Record<string, unknown>): SpdkRpcError {
    const code = typeof error.code === 'number' ? error.code : undefined;
    const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
    if (code === JSONRPC_METHOD_NOT_FOUND) {
      return this.error('method_not_found', `${this.label} has no method ${method} (JSON-RPC ${code} ${message}); the module that provides it is not built into this target, or this SPDK is older`, method, code, message);
    }
    return this.error('method_failed', `${method} failed on ${this.label}: ${message} (JSON-RPC error ${code ?? 'without a code'})`, method, code, message);
  }

  private failConnection(connection: Connection, error: SpdkRpcError): void {
    // 'close' follows 'error': by then pending calls may belong to a newer connection, so fail only once.
    if (connection.failure) return;
    connection.failure = error;
    if (this.connection === connection) this.connection = undefined;
    connection.socket.destroy();
    for (const call of [...this.pending.values()]) {
      call.reject(new SpdkRpcError(error.code, error.message, error.address, call.method, error.rpcCode, error.rpcMessage));
    }
  }

  private socketError(error: NodeJS.ErrnoException, connected: boolean): SpdkRpcError {
    const where = this.label;
    const unix = this.address.kind === 'unix';
    if (connected) return this.error('connection_closed', `the connection to ${where} failed: ${error.message}; the target may have exited`);
    switch (error.code) {
      case 'ENOENT':
        return this.error('no_socket', `no SPDK RPC socket at ${where}: is spdk_tgt running, and was it started with -r ${where}? (the default is /var/tmp/spdk.sock)`);
      case 'EACCES':
      case 'EPERM':
        return this.error('permission_denied', `permission denied connecting to ${where}: spdk_tgt usually runs as root, so its socket is root's; run as the socket's owner or give your user access (ls -l ${where})`);
      case 'ECONNREFUSED':
        if (unix) {
          const kind = describeNonSocket(where);
          if (kind) return this.error('connection_refused', `${where} is ${kind}, not a Unix socket: point at the socket spdk_tgt opened with -r`);
          return this.error('connection_refused', `connection refused on ${where}: the socket file exists but nothing listens on it (a stale socket left by an spdk_tgt that exited?)`);
        }
        return this.error('connection_refused', `connection refused by ${where}: nothing listens on that port; check the host and port of the target's RPC server`);
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return this.error('connection_failed', `cannot resolve the host of ${where}: ${error.message}`);
      default:
        return this.error('connection_failed', `cannot connect to ${where}: ${error.message}`);
    }
  }

  private error(code: SpdkRpcErrorCode, message: string, method?: string, rpcCode?: number, rpcMessage?: string): SpdkRpcError {
    return new SpdkRpcError(code, message, this.label, method, rpcCode, rpcMessage);
  }
}

function describeNonSocket(path: string): string | undefined {
  try {
    const stat = statSync(path);
    if (stat.isSocket()) return undefined;
    return stat.isDirectory() ? 'a folder' : stat.isFile() ? 'a regular file' : 'not a socket';
  } catch {
    return undefined;
  }
}
