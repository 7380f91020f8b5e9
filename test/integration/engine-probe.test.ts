/**
 * `edgecab probe engine` against a real Podman API service (unix socket):
 * what it prints is compared with Podman's own CLI over the same storage.
 * Over TCP the engine is reached with mutual TLS: here a TLS front to the
 * same Podman socket that requires a client certificate from the test's CA
 * (as dockerd --tlsverify does), whose own certificate EdgeCab pins.
 */
import { execFile } from 'node:child_process';
import { createServer as createUnixServer, connect as connectUnix, type Server as NetServer } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineInventory } from '../../shared/domain/engine.js';
import { EngineClient } from '../../main/core/protocols/engine/client.js';
import { readEngine } from '../../main/core/protocols/engine/inventory.js';
import { createAuthority, issue } from '../../main/core/services/pki/x509.js';
import packageJson from '../../package.json' with { type: 'json' };
import { tempCore } from '../support/core.js';
import { startPodman, type PodmanService } from '../support/podman.js';

const run = promisify(execFile);
const edgecab = (...args: string[]) => run(process.execPath, [packageJson.bin.edgecab, ...args]);
const failure = (promise: Promise<unknown>) => promise.then(() => ({ code: 0, stderr: '' }), (error: { code: number; stderr: string }) => error);

describe('edgecab probe engine', () => {
  let engine: PodmanService;
  let files: string;
  let front: TlsServer;
  let frontUrl = '';
  let frontFingerprint = '';
  const paths = { cert: '', key: '', otherCert: '', otherKey: '' };

  beforeAll(async () => {
    engine = await startPodman();
    await engine.importBusybox('edgecab/web:1');
    await engine.podman('volume', 'create', 'web-data');
    // One running container (busybox httpd on the host's network, as the lab runs them) and one made but never started.
    await engine.podman('run', '-d', '--name', 'web', '--network', 'host', '--label', 'edgecab.app=web', 'edgecab/web:1', '/bin/httpd', '-f', '-p', '127.0.0.1:0', '-h', '/www');
    await engine.podman('create', '--name', 'idle', 'edgecab/web:1', '/bin/sleep', '1');

    files = mkdtempSync(join(tmpdir(), 'edgecab-engine-tls-'));
    const ca = await createAuthority('EdgeCab test CA', 2);
    const server = await issue(ca, { commonName: 'engine', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 2, usage: 'server' });
    const client = await issue(ca, { commonName: 'edgecab', days: 2, usage: 'client' });
    const stranger = await issue(await createAuthority('Some other CA', 2), { commonName: 'edgecab', days: 2, usage: 'client' });
    frontFingerprint = server.fingerprint;
    paths.cert = join(files, 'client.pem');
    paths.key = join(files, 'client.key');
    paths.otherCert = join(files, 'other.pem');
    paths.otherKey = join(files, 'other.key');
    writeFileSync(paths.cert, client.certificatePem);
    writeFileSync(paths.key, client.keyPem);
    writeFileSync(paths.otherCert, stranger.certificatePem);
    writeFileSync(paths.otherKey, stranger.keyPem);
    // Only a client certificate from the CA gets through to the engine.
    front = createTlsServer({ cert: server.certificatePem, key: server.keyPem, ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true }, (socket) => {
      const upstream = connectUnix(engine.socketPath);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    front.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    frontUrl = `https://127.0.0.1:${(front.address() as { port: number }).port}`;
  }, 120_000);

  afterAll(async () => {
    await new Promise((resolve) => front?.close(resolve));
    await engine?.stop();
    if (files) rmSync(files, { recursive: true, force: true });
  }, 60_000);

  it("prints what Podman's own CLI says: version, host, disk, images, containers (stopped too) and volumes", async () => {
    const { stdout } = await edgecab('probe', 'engine', engine.url);
    const inventory = JSON.parse(stdout) as EngineInventory;
    const version = JSON.parse(await engine.podman('version', '--format', 'json')) as { Server?: { Version: string }; Client: { Version: string } };
    expect(inventory.engine).toMatchObject({ product: 'Podman Engine', version: version.Server?.Version ?? version.Client.Version, os: expect.any(String) });
    expect(inventory.certificateFingerprint).toBeNull();
    expect(inventory.host.cpus).toBeGreaterThan(0);
    expect(inventory.host.memoryBytes).toBeGreaterThan(0);
    expect(inventory.disk.freeBytes).toBeGreaterThan(0);
    expect(inventory.disk.totalBytes).toBeGreaterThanOrEqual(inventory.disk.freeBytes!);

    const images = JSON.parse(await engine.podman('images', '--format', 'json')) as { Id: string; Names?: string[]; Size: number }[];
    expect(inventory.images.map((image) => image.id.replace(/^sha256:/, '')).sort()).toEqual(images.map((image) => image.Id.replace(/^sha256:/, '')).sort());
    expect(inventory.images.flatMap((image) => image.tags)).toContain('localhost/edgecab/web:1');
    expect(inventory.images[0]!.sizeBytes).toBe(images[0]!.Size);

    const containers = JSON.parse(await engine.podman('ps', '--all', '--format', 'json')) as { Names: string[]; State: string }[];
    expect(inventory.containers.map((container) => [container.name, container.state]).sort()).toEqual(containers.map((container) => [container.Names[0], container.State]).sort());
    expect(inventory.containers.find((container) => container.name === 'web')).toMatchObject({ state: 'running', labels: { 'edgecab.app': 'web' } });
    expect(inventory.containers.find((container) => container.name === 'idle')?.state).toBe('created');
    expect(inventory.volumes.map((volume) => volume.name)).toEqual(['web-data']);

    const human = await edgecab('probe', 'engine', engine.url, '--human');
    expect(human.stdout).toMatch(/^ENGINE {2}unix:.*Podman Engine/);
    expect(human.stdout).toMatch(/containers {2}2 \(1 running\)/);
  }, 60_000);

  it('over TCP: mutual TLS with the engine certificate pinned; no client certificate, a stranger one, an unknown or changed engine certificate are each refused', async () => {
    const untrusted = await failure(edgecab('probe', 'engine', frontUrl, '--cert', paths.cert, '--key', paths.key));
    expect(untrusted.code).toBe(4);
    expect(untrusted.stderr).toContain(`--fingerprint ${frontFingerprint}`);

    const { stdout } = await edgecab('probe', 'engine', frontUrl, '--cert', paths.cert, '--key', paths.key, '--fingerprint', frontFingerprint);
    const inventory = JSON.parse(stdout) as EngineInventory;
    expect(inventory).toMatchObject({ endpoint: frontUrl, certificateFingerprint: frontFingerprint });
    expect(inventory.containers).toHaveLength(2);

    const changed = await failure(edgecab('probe', 'engine', frontUrl, '--cert', paths.cert, '--key', paths.key, '--fingerprint', `${frontFingerprint.startsWith('00') ? 'FF' : '00'}${frontFingerprint.slice(2)}`));
    expect(changed.stderr).toMatch(/certificate changed/);
    const noCertificate = await failure(edgecab('probe', 'engine', frontUrl, '--trust-on-first-use', '--timeout', '3000'));
    expect(noCertificate.code).toBe(4);
    const stranger = await failure(edgecab('probe', 'engine', frontUrl, '--cert', paths.otherCert, '--key', paths.otherKey, '--trust-on-first-use', '--timeout', '3000'));
    expect(stranger.code).toBe(4);
  }, 60_000);

  it('a refused client certificate is reported every time with exit 4, also with many probes at once: the refusal where undici reports it, else the deadline (undici could lose the request and the CLI exit 13 saying nothing)', async () => {
    const attempts = await Promise.all(Array.from({ length: 16 }, () => failure(edgecab('probe', 'engine', frontUrl, '--cert', paths.otherCert, '--key', paths.otherKey, '--trust-on-first-use', '--timeout', '3000'))));
    for (const attempt of attempts) {
      expect(attempt.code).toBe(4);
      // The engine's refusal where undici reports it; where undici lost the request, the deadline that settles it instead.
      expect(attempt.stderr).toMatch(/^edgecab: https:\/\/127\.0\.0\.1:\d+\/version: (.*(certificate|alert|socket|reset|closed|EPIPE).*|no answer within 3 s)\n?$/i);
    }
  }, 90_000);

  it("through the API: EdgeCab presents the client certificate of its own CA, which an engine trusting that CA lets in", async () => {
    const { core, cleanup } = tempCore();
    const ca = await core.services.authority.certificate();
    const serverCa = await createAuthority('Engine host CA', 2);
    const server = await issue(serverCa, { commonName: 'engine', ipAddresses: ['127.0.0.1'], days: 2, usage: 'server' });
    const trustsEdgecab = createTlsServer({ cert: server.certificatePem, key: server.keyPem, ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true }, (socket) => {
      const upstream = connectUnix(engine.socketPath);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    trustsEdgecab.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => trustsEdgecab.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(trustsEdgecab.address() as { port: number }).port}`;
    try {
      const client = core.client('test');
      await expect(client.devices.probeEngine({ url })).rejects.toMatchObject({ code: 'DEVICE_UNREACHABLE', data: { reason: 'tls_untrusted', fingerprint: server.fingerprint } });
      const inventory = await client.devices.probeEngine({ url, fingerprint: server.fingerprint });
      expect(inventory).toMatchObject({ endpoint: url, certificateFingerprint: server.fingerprint, engine: { product: 'Podman Engine' } });
      // The engine behind the TLS front that trusts another CA (the first one) does not let EdgeCab's certificate in.
      await expect(client.devices.probeEngine({ url: frontUrl, fingerprint: frontFingerprint })).rejects.toMatchObject({ code: 'DEVICE_UNREACHABLE' });
      await expect(client.devices.probeEngine({ url: 'http://127.0.0.1:2375' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    } finally {
      await new Promise((resolve) => trustsEdgecab.close(resolve));
      cleanup();
    }
  }, 60_000);

  it('refuses clear-text TCP and says what is wrong with an address, a missing socket or a missing file', async () => {
    for (const url of ['http://127.0.0.1:2375', 'tcp://10.0.0.5:2375']) {
      const result = await failure(edgecab('probe', 'engine', url));
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/clear-text TCP .* run containers as root/);
    }
    expect((await failure(edgecab('probe', 'engine', 'unix:relative.sock'))).stderr).toMatch(/absolute path/);
    expect((await failure(edgecab('probe', 'engine', 'unix:/nonexistent/podman.sock'))).stderr).toMatch(/no such socket/);
    expect((await failure(edgecab('probe', 'engine', frontUrl, '--cert', paths.cert))).stderr).toMatch(/--cert and --key go together/);
    expect((await failure(edgecab('probe', 'engine', frontUrl, '--cert', '/nonexistent.pem', '--key', paths.key))).stderr).toMatch(/cannot read the client certificate/);
  });
});

describe('an engine that answers garbage', () => {
  let dir: string;
  let servers: (HttpServer | NetServer)[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'edgecab-engine-bad-'));
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    servers = [];
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = async (name: string, answer: (path: string) => { status: number; body: string }) => {
    const socketPath = join(dir, `${name}.sock`);
    const server = createHttpServer((req, res) => {
      const { status, body } = answer(req.url ?? '/');
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    servers.push(server);
    return `unix:${socketPath}`;
  };

  it('names the path and what is wrong, for answers that are not JSON, of the wrong shape, an error status, too large, or never come', async () => {
    const cases: [string, (path: string) => { status: number; body: string }, RegExp][] = [
      ['not-json', () => ({ status: 200, body: '<html>' }), /\/version: the answer is not JSON/],
      ['wrong-shape', (path) => ({ status: 200, body: path === '/version' ? '{"Version": 4, "ApiVersion": "1.41"}' : '{}' }), /\/version: unexpected answer \(Version: /],
      ['images-shape', (path) => ({ status: 200, body: path === '/version' ? '{"Version":"24.0","ApiVersion":"1.43","Components":[{"Name":"Engine"}]}' : path === '/images/json' ? '[{"Id": null}]' : path.startsWith('/containers') ? '[]' : '{}' }), /\/images\/json: unexpected answer \(0\.Id: /],
      ['error', () => ({ status: 500, body: '{"message":"database is locked"}' }), /\/version: HTTP 500: database is locked/],
      ['huge', () => ({ status: 200, body: `{"Version":"${'x'.repeat(2_000_000)}"}` }), /answer larger than 1000000 bytes/],
      ['absurd-size', (path) => ({ status: 200, body: path === '/version' ? '{"Version":"24.0","ApiVersion":"1.43"}' : path === '/images/json' ? '[{"Id":"sha256:a","Size":1e20}]' : path.startsWith('/containers') ? '[]' : '{}' }), /\/images\/json: unexpected answer \(0\.Size: /],
    ];
    for (const [name, answer, message] of cases) {
      const client = new EngineClient({ url: await serve(name, answer), maxBodyBytes: 1_000_000, requestTimeoutMs: 3000 });
      try {
        await expect(readEngine(client), name).rejects.toThrow(message);
      } finally {
        await client.close();
      }
    }
    // A Docker engine (no libpod API): disk free is not known, and said so, not guessed.
    const docker = new EngineClient({
      url: await serve('docker', (path) => ({ status: 200, body: path === '/version' ? '{"Version":"24.0.7","ApiVersion":"1.43","Components":[{"Name":"Engine"}]}' : path === '/info' ? '{"NCPU":4,"MemTotal":8000000000,"OperatingSystem":"Debian GNU/Linux 12","DockerRootDir":"/var/lib/docker"}' : path === '/volumes' ? '{"Volumes":null}' : path === '/images/json' ? '[{"Id":"sha256:b","Size":5,"Created":1e13}]' : '[]' })),
    });
    try {
      const read = await readEngine(docker);
      expect(read.disk).toEqual({ path: '/var/lib/docker', totalBytes: null, freeBytes: null, note: expect.stringMatching(/does not report free space/) });
      // A creation time past any real date is no time at all, not a crash.
      expect(read.images).toEqual([{ id: 'sha256:b', tags: [], digests: [], sizeBytes: 5, created: null }]);
    } finally {
      await docker.close();
    }
    // A socket that accepts and never answers: a timeout, named.
    const silentPath = join(dir, 'silent.sock');
    const held: import('node:net').Socket[] = [];
    const silent = createUnixServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(silentPath, resolve));
    servers.push(silent);
    const client = new EngineClient({ url: `unix:${silentPath}`, requestTimeoutMs: 500 });
    try {
      await expect(readEngine(client)).rejects.toThrow(/no answer within/);
    } finally {
      await client.close();
      for (const socket of held) socket.destroy();
    }
  }, 30_000);
});
