import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedfishClient } from '../../main/core/protocols/redfish/client.js';
import { readHealth, readInventory } from '../../main/core/protocols/redfish/inventory.js';
import type { LabBmc } from '../../main/lab/redfish/bmc.js';
import { clientFor, startBmc } from '../support/redfish.js';

describe('a BMC that misbehaves is marked with the reason; nothing crashes', () => {
  let bmc: LabBmc;
  beforeAll(async () => {
    bmc = await startBmc('dmtf-public-rackmount1');
  });
  beforeEach(() => {
    bmc.faults = {};
  });
  afterAll(async () => bmc?.stop());

  const fails = async (client: RedfishClient, code: string, message?: RegExp) => {
    try {
      await expect(client.get('/redfish/v1/Systems')).rejects.toMatchObject({ code, ...(message ? { message: expect.stringMatching(message) } : {}) });
    } finally {
      await client.close();
    }
  };

  it('slow answers: a per-request timeout', async () => {
    bmc.faults = { latencyMs: 800 };
    await fails(clientFor(bmc, { requestTimeoutMs: 200, retries: 0 }), 'timeout', /within 200 ms/);
  });

  it('500s: GETs are retried with backoff, then reported', async () => {
    const client = clientFor(bmc, { retries: 2 });
    await client.get('/redfish/v1/Systems');
    bmc.faults = { errorRate: 1 };
    const before = bmc.requests;
    await fails(client, 'http', /HTTP 500: Injected internal error/);
    // The GET three times (once and two retries; the session is already there), then the session's DELETE at close.
    expect(bmc.requests - before).toBe(4);
  });

  it('a 503 at login is a failed login for now, not a BMC without sessions: the next request logs in with a session', async () => {
    const client = clientFor(bmc, { retries: 0 });
    bmc.faults = { errorRate: 1, errorStatus: 503 };
    await expect(client.get('/redfish/v1/Systems')).rejects.toMatchObject({ code: 'http', message: expect.stringMatching(/session login failed for now \(HTTP 503/) });
    bmc.faults = {};
    const sessions = bmc.activeSessions;
    await client.get('/redfish/v1/Systems');
    // A session was opened (Basic would have opened none).
    expect(bmc.activeSessions).toBe(sessions + 1);
    await client.close();
  });

  it('an http:// address is refused unless clear text is allowed explicitly', () => {
    expect(() => new RedfishClient({ url: 'http://127.0.0.1:1', username: 'u', password: 'p' })).toThrow(/clear text/);
    expect(() => new RedfishClient({ url: 'http://127.0.0.1:1', username: 'u', password: 'p', allowClearText: true })).not.toThrow();
  });

  it('malformed JSON', async () => {
    const client = clientFor(bmc);
    await client.get('/redfish/v1/Systems');
    bmc.faults = { malformedJson: true };
    await fails(client, 'not_json', /malformed or truncated JSON/);
  });

  it('a truncated body', async () => {
    const client = clientFor(bmc, { retries: 0 });
    await client.get('/redfish/v1/Systems');
    bmc.faults = { truncatedBody: true };
    await expect(client.get('/redfish/v1/Systems')).rejects.toMatchObject({ code: expect.stringMatching(/^(connection|not_json)$/) });
    await client.close();
  });

  it('dropped connections', async () => {
    bmc.faults = { dropConnections: true };
    await fails(clientFor(bmc, { retries: 1 }), 'connection');
  });

  it('an HTML page instead of Redfish', async () => {
    bmc.faults = { html: true };
    const client = clientFor(bmc);
    await expect(client.serviceRoot()).rejects.toMatchObject({ code: 'not_redfish', message: expect.stringContaining('text/html') });
    await client.close();
  });

  it('a 200 carrying an error body', async () => {
    const client = clientFor(bmc);
    await client.get('/redfish/v1/Systems');
    bmc.faults = { errorBodyWith200: true };
    await fails(client, 'error_body', /The service is busy/);
  });

  it('a 10 MB body is refused unread', async () => {
    const client = clientFor(bmc);
    await client.get('/redfish/v1/Systems');
    bmc.faults = { hugeBodyBytes: 10 * 1024 * 1024 };
    await fails(client, 'too_large', /larger than/);
  });

  it('a never-ending body times out', async () => {
    const client = clientFor(bmc, { requestTimeoutMs: 500, retries: 0 });
    await client.get('/redfish/v1/Systems');
    bmc.faults = { endlessBody: true };
    await fails(client, 'timeout');
  });

  it('a redirect loop is not followed', async () => {
    const client = clientFor(bmc);
    await client.get('/redfish/v1/Systems');
    bmc.faults = { redirectLoop: true };
    await fails(client, 'redirect', /redirects are not followed/);
  });

  it('a poll that runs out of time reports what it skipped instead of waiting', async () => {
    const client = clientFor(bmc, { requestTimeoutMs: 5000 });
    await client.serviceRoot();
    bmc.faults = { latencyMs: 150 };
    const inventory = await readInventory(client, { pollTimeoutMs: 300 });
    expect(inventory.problems.some((problem) => problem.message === 'skipped: the poll ran out of time')).toBe(true);
    await client.close();
  });

  it('a slow BMC does not hold back another one', async () => {
    const fast = await startBmc('dmtf-public-bladed');
    const slowClient = clientFor(bmc, { requestTimeoutMs: 5000 });
    const fastClient = clientFor(fast);
    bmc.faults = { latencyMs: 600 };
    const order: string[] = [];
    await Promise.all([
      readHealth(slowClient).then(() => order.push('slow')),
      readHealth(fastClient).then(() => order.push('fast')),
    ]);
    expect(order).toEqual(['fast', 'slow']);
    await Promise.all([slowClient.close(), fastClient.close(), fast.stop()]);
  });
});

describe('certificates', () => {
  it('an unknown certificate is refused with its fingerprint; trusted on first use it is pinned', async () => {
    const bmc = await startBmc('dmtf-public-localstorage');
    const strict = new RedfishClient({ url: bmc.url, username: 'admin', password: 'password' });
    await expect(strict.serviceRoot()).rejects.toMatchObject({ code: 'tls_untrusted', fingerprint: bmc.fingerprint });
    await strict.close();
    const tofu = new RedfishClient({ url: bmc.url, username: 'admin', password: 'password', trustOnFirstUse: true });
    await tofu.serviceRoot();
    expect(tofu.fingerprint).toBe(bmc.fingerprint);
    await tofu.close();
    await bmc.stop();
  });

  it('a changed certificate is refused, with both fingerprints named', async () => {
    const bmc = await startBmc('dmtf-public-localstorage');
    // One retry: rotating the certificate also closes the open keep-alive connection.
    const client = clientFor(bmc, { retries: 1 });
    const pinned = bmc.fingerprint;
    await readInventory(client);
    bmc.rotateCertificate();
    await expect(client.get('/redfish/v1/Systems')).rejects.toMatchObject({ code: 'tls_changed', message: expect.stringContaining(`was ${pinned}, now ${bmc.fingerprint}`) });
    await client.close();
    await bmc.stop();
  });
});
