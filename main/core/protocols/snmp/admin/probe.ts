import type { SnmpV3Credentials } from '../../../../../shared/domain/snmp.js';
import { SnmpError, SnmpSession } from '../session.js';
import { SYS_UP_TIME } from './oids.js';

/** Where the agent is and how patiently to ask it. */
export interface Endpoint {
  host: string;
  port: number;
  timeoutMs: number;
  retries: number;
}

/**
 * What one read with a credential says about it:
 * - works: the agent answered with data;
 * - no-access: it authenticated the request but VACM refused it (the keys are right);
 * - unknown-user / wrong-keys: USM refused it (the agent's report);
 * - no-answer: nothing came back. Net-SNMP drops what it cannot decrypt,
 *   so against an agent that otherwise answers this means a wrong privacy key.
 */
export type ProbeState = 'works' | 'no-access' | 'unknown-user' | 'wrong-keys' | 'no-answer' | 'error';

export interface Probe {
  state: ProbeState;
  error: SnmpError | null;
}

export function v3Session(endpoint: Endpoint, credentials: SnmpV3Credentials): SnmpSession {
  return new SnmpSession({ host: endpoint.host, port: endpoint.port, version: '3', v3: credentials, timeoutMs: endpoint.timeoutMs, retries: endpoint.retries }, { maxInFlight: 1 });
}

function stateOf(error: unknown): Probe {
  if (!(error instanceof SnmpError)) return { state: 'error', error: new SnmpError('socket_error', String(error)) };
  switch (error.code) {
    case 'error_status':
      return { state: 'no-access', error };
    case 'unknown_user':
      return { state: 'unknown-user', error };
    case 'auth_failure':
    case 'decryption_error':
    case 'unsupported_security_level':
      return { state: 'wrong-keys', error };
    case 'timeout':
      return { state: 'no-answer', error };
    default:
      return { state: 'error', error };
  }
}

async function read(session: SnmpSession): Promise<Probe> {
  try {
    const [varbind] = await session.get([SYS_UP_TIME]);
    return varbind?.value === null || varbind?.value === undefined
      ? { state: 'no-access', error: new SnmpError('error_status', `${session.target}: answered, but sysUpTime.0 is not in this credential's view`) }
      : { state: 'works', error: null };
  } catch (error) {
    return stateOf(error);
  } finally {
    session.close();
  }
}

export function probeUser(endpoint: Endpoint, credentials: SnmpV3Credentials): Promise<Probe> {
  try {
    return read(v3Session(endpoint, credentials));
  } catch (error) {
    return Promise.resolve(stateOf(error));
  }
}

/** One try, no retries: a community that is off is expected to stay silent. */
export function probeCommunity(endpoint: Endpoint, community: string): Promise<Probe> {
  try {
    return read(new SnmpSession({ host: endpoint.host, port: endpoint.port, version: '2c', community, timeoutMs: endpoint.timeoutMs, retries: 0 }));
  } catch (error) {
    return Promise.resolve(stateOf(error));
  }
}

/** The keys are right when the agent authenticated the request, whatever VACM then allowed. */
export function keysWork(probe: Probe): boolean {
  return probe.state === 'works' || probe.state === 'no-access';
}
