// Typed failures of a call to SPDK's JSON-RPC server, each with a message that names the address and what to check.

export type SpdkRpcErrorCode =
  | 'bad_address'
  | 'no_socket'
  | 'permission_denied'
  | 'connection_refused'
  | 'connection_failed'
  | 'connection_closed'
  | 'not_spdk'
  | 'timeout'
  | 'response_too_large'
  | 'cancelled'
  | 'method_not_found'
  | 'method_failed';

/** JSON-RPC 2.0 "Method not found": the target lacks the method (module not built in, or an older SPDK). */
export const JSONRPC_METHOD_NOT_FOUND = -32601;

export class SpdkRpcError extends Error {
  override readonly name = 'SpdkRpcError';

  constructor(
    readonly code: SpdkRpcErrorCode,
    message: string,
    /** The address as the user wrote it (socket path or host:port). */
    readonly address: string,
    readonly method?: string,
    /** The JSON-RPC error object's code and message, for method_not_found and method_failed. */
    readonly rpcCode?: number,
    readonly rpcMessage?: string,
  ) {
    super(message);
  }

  /** Plain data for a webview or a JSON report. */
  toJSON(): { code: SpdkRpcErrorCode; message: string; address: string; method?: string; rpcCode?: number; rpcMessage?: string } {
    return { code: this.code, message: this.message, address: this.address, method: this.method, rpcCode: this.rpcCode, rpcMessage: this.rpcMessage };
  }
}
