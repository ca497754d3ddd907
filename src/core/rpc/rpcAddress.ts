// Where SPDK's JSON-RPC server listens: a Unix socket path (spdk_tgt -r <path>) or a TCP host:port.

export const DEFAULT_SPDK_RPC_SOCKET = '/var/tmp/spdk.sock';

export type SpdkRpcAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9][A-Za-z0-9.-]*)):(\d{1,5})$/;

/** True when text reads as host:port or [ipv6]:port rather than a file path. */
export function looksLikeHostPort(text: string): boolean {
  const m = HOST_PORT.exec(text.trim());
  return m !== null && Number(m[3]) > 0 && Number(m[3]) < 65536;
}

/** Parses a user's address; an empty one means the default socket. Anything not host:port is a socket path. */
export function parseRpcAddress(text: string | undefined): SpdkRpcAddress {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return { kind: 'unix', path: DEFAULT_SPDK_RPC_SOCKET };
  const m = HOST_PORT.exec(trimmed);
  if (m && looksLikeHostPort(trimmed)) return { kind: 'tcp', host: m[1] ?? m[2], port: Number(m[3]) };
  return { kind: 'unix', path: trimmed };
}

export function formatRpcAddress(address: SpdkRpcAddress): string {
  if (address.kind === 'unix') return address.path;
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
