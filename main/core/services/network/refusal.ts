import { ORPCError } from '@orpc/server';
import { HostUnresolvedError, NetworkNotAllowedError } from './network-policy.js';

/**
 * Rethrows a network-policy refusal as the API answers it: 403
 * NETWORK_NOT_ALLOWED naming the address and the allowed networks, or 502
 * DEVICE_UNREACHABLE (reason "unresolved") for a name whose addresses could
 * not be checked. Anything else is rethrown as it is.
 */
export function policyRefusal(error: unknown): never {
  if (error instanceof NetworkNotAllowedError) {
    throw new ORPCError('NETWORK_NOT_ALLOWED', {
      status: 403,
      message: error.message,
      data: { host: error.host, address: error.address, allowedNetworks: [...error.allowedNetworks] },
      cause: error,
    });
  }
  if (error instanceof HostUnresolvedError) {
    throw new ORPCError('DEVICE_UNREACHABLE', { status: 502, message: error.message, data: { reason: 'unresolved', fingerprint: null }, cause: error });
  }
  throw error;
}
