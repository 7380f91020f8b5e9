/** "host:port" as stored for SNMP devices (the host may be an IPv6 address with colons). */
export function splitEndpoint(endpoint: string): { host: string; port: number } {
  const colon = endpoint.lastIndexOf(':');
  return { host: endpoint.slice(0, colon), port: Number(endpoint.slice(colon + 1)) };
}

/**
 * One name per BMC or agent, however its address was written: "host:port"
 * from "https://host" (443 implied), "https://host:8443", "[v6]:port" or
 * "host:port". Discovery, the rotation's lockout budget and the check for
 * devices already secured all key by it, so a default port never makes one
 * device look like two.
 */
export function endpointKey(endpoint: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint)) {
    const url = new URL(endpoint);
    const port = url.port || (url.protocol === 'http:' ? '80' : '443');
    return `${url.hostname.replace(/^\[|\]$/g, '')}:${port}`;
  }
  const { host, port } = splitEndpoint(endpoint);
  return `${host.replace(/^\[|\]$/g, '')}:${port}`;
}
