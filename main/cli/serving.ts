import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Core } from '../core/index.js';
import { startServer, type RunningServer } from '../server/server.js';
import { rendererDir } from './paths.js';
import { keepCertificateCurrent, type ServedCertificate } from '../core/services/pki/renewal.js';
import { describeError } from '../core/services/system/safety-net.js';

export interface ServingOptions {
  host: string;
  port: number;
  /** Generate (once, kept) a certificate from EdgeCab's own CA. */
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  publicName?: string[];
}

export interface Serving {
  running: RunningServer;
  /** The one-time link that creates the first administrator, while there is none. */
  setupUrl: string | null;
  tls: { fingerprint: string; source: 'files' | 'edgecab-ca' } | null;
  warnings: string[];
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

/** The addresses a certificate for a server bound to `host` should name. */
function certificateAddresses(host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return isIP(host) ? [host] : [];
  return Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((address) => address.address));
}

/**
 * Starts the HTTP(S) server for a core the way `serve` and `lab` both do:
 * TLS from files or from EdgeCab's own CA, the Host names it answers to,
 * and the setup link while no user exists.
 */
export async function serveCore(core: Core, options: ServingOptions): Promise<Serving> {
  const warnings: string[] = [];
  if (Boolean(options.tlsCert) !== Boolean(options.tlsKey)) throw new Error('give both --tls-cert and --tls-key');
  let tls: { cert: string; key: string } | undefined;
  let tlsInfo: Serving['tls'] = null;
  let renew: (() => Promise<ServedCertificate>) | null = null;
  if (options.tlsCert && options.tlsKey) {
    tls = { cert: readFileSync(options.tlsCert, 'utf8'), key: readFileSync(options.tlsKey, 'utf8') };
    const { fingerprintOf } = await import('../core/services/pki/x509.js');
    tlsInfo = { fingerprint: fingerprintOf(tls.cert), source: 'files' };
  } else if (options.tls) {
    const names = ['localhost', ...(options.publicName ?? []).filter((name) => !isIP(name))];
    const addresses = [...new Set(['127.0.0.1', ...certificateAddresses(options.host), ...(options.publicName ?? []).filter((name) => isIP(name))])];
    // The same request each day: the CA answers the kept certificate, or a new one when it nears its end.
    renew = async () => {
      const certificate = await core.services.authority.serverCertificate(names, addresses);
      return { cert: certificate.chainPem, key: certificate.keyPem, fingerprint: certificate.fingerprint };
    };
    const certificate = await renew();
    tls = { cert: certificate.cert, key: certificate.key };
    tlsInfo = { fingerprint: certificate.fingerprint, source: 'edgecab-ca' };
  }
  if (!tls && !isLoopback(options.host)) {
    warnings.push(`listening on ${options.host} without TLS: passwords and session cookies cross the network in clear text; add --tls (or --tls-cert and --tls-key)`);
  }
  const started = await startServer({ core, host: options.host, port: options.port, rendererDir: rendererDir(), publicNames: options.publicName ?? [], ...(tls ? { tls } : {}) });
  let running = started;
  if (renew && tlsInfo) {
    // A certificate of one's own (--tls-cert) is the owner's to renew; EdgeCab's own it renews itself.
    const health = core.services.health;
    const renewal = keepCertificateCurrent(started, tlsInfo.fingerprint, renew, {
      onRenewed: (fingerprint) => console.error(`edgecab: the TLS certificate was renewed; its SHA-256 is now ${fingerprint}`),
      report: (what, error) => health.report(what, error),
      recovered: (what) => health.cleared(what),
    });
    running = { ...started, close: () => Promise.resolve(renewal.dispose()).then(() => started.close()) };
  }
  const token = core.services.identity.issueSetupToken();
  const setupUrl = token ? `${running.url}#/setup?token=${token}` : null;
  return { running, setupUrl, tls: tlsInfo, warnings };
}

/** How long stopping may take (the connections closing, then the network clean-up) before the process just exits. */
const STOP_DEADLINE_MS = 5_000;

/**
 * On SIGTERM or Ctrl+C (once, however often sent): `first` (the lab's
 * engines, waited for), then the connections close, then the core (it
 * writes what the monitor still holds and closes the database,
 * synchronously, then cleans up its network work), then the process exits.
 * A close that fails does not keep the core from being closed; past
 * STOP_DEADLINE_MS after `first` the core is closed if it was not yet, and
 * the process exits without waiting any longer.
 */
export function stopOnSignals(running: RunningServer, core: Core, first: () => Promise<unknown> = () => Promise.resolve()): void {
  let stopping = false;
  let failed = false;
  let closing: Promise<void> | null = null;
  const closeCore = (): Promise<void> => {
    if (closing) return closing;
    try {
      // The database is written and closed in this call; what it answers is the network clean-up.
      closing = core.close().catch((error: unknown) => console.error(`edgecab: cleaning up after the core failed: ${describeError(error)}`));
    } catch (error) {
      failed = true;
      console.error(`edgecab: closing the database failed: ${describeError(error)}`);
      closing = Promise.resolve();
    }
    return closing;
  };
  const exit = () => process.exit(failed ? 1 : 0);
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void first()
      .catch(() => undefined)
      .then(() => {
        setTimeout(() => {
          if (!closing) console.error(`edgecab: still stopping after ${STOP_DEADLINE_MS / 1000} s (connections that do not close); closing the database now`);
          void closeCore();
          exit();
        }, STOP_DEADLINE_MS);
        return running.close();
      })
      .catch((error: unknown) => console.error(`edgecab: closing the server failed: ${describeError(error)}`))
      .then(closeCore)
      .then(exit);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
