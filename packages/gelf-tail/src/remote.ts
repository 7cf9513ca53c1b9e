/** `address:port` of a peer, with IPv6 addresses in brackets; '' when the address is unknown. */
export function formatRemote(address: string | undefined, port: number | undefined): string {
  if (address === undefined) return '';
  return address.includes(':') ? `[${address}]:${port ?? 0}` : `${address}:${port ?? 0}`;
}
