import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Disposable } from '../../lib/disposable.js';
import { fileSha256 } from '../../lib/file-sha256.js';
import { localAddressToward } from '../../lib/local-address.js';
import type { CertificateAuthority } from '../pki/authority.js';
import { ImageAlteredError } from '../../protocols/redfish/firmware-update.js';

/** How long an offered image can be pulled. */
const OFFER_MS = 60 * 60_000;

interface Offer {
  path: string;
  size: number;
  expires: number;
  sent: number;
}

export interface ImageOffer {
  url: string;
  /** Bytes the BMC has pulled so far. */
  sent: () => number;
  withdraw: () => void;
}

/**
 * EdgeCab's own image server, for BMCs that only pull (SimpleUpdate with an
 * ImageURI): HTTPS with a certificate of EdgeCab's CA, on the address that
 * faces the BMC, started when first needed. Each image is offered under a
 * one-time unguessable path for an hour, and withdrawn once its task ended;
 * nothing else is served.
 */
export class FirmwareImageServer implements Disposable {
  private server: Server | null = null;
  private starting: Promise<number> | null = null;
  private readonly offers = new Map<string, Offer>();

  constructor(
    private readonly authority: Pick<CertificateAuthority, 'serverCertificate'>,
    /** The port to listen on (EDGECAB_IMAGE_PORT; 0: any free one). */
    private readonly port = Number(process.env.EDGECAB_IMAGE_PORT ?? 0),
  ) {}

  /** Offers the image to the BMC at `towardHost`; its file is checked against `sha256` first (a pulled image cannot be cut off on its way). */
  async offer(towardHost: string, image: { path: string; fileName: string; sha256: string }): Promise<ImageOffer> {
    const actual = await fileSha256(image.path);
    if (actual !== image.sha256.toLowerCase()) throw new ImageAlteredError(actual);
    const address = await localAddressToward(towardHost);
    const port = await this.listen(address);
    const token = randomBytes(24).toString('hex');
    const offer: Offer = { path: image.path, size: statSync(image.path).size, expires: Date.now() + OFFER_MS, sent: 0 };
    this.offers.set(token, offer);
    const host = address.includes(':') ? `[${address}]` : address;
    return { url: `https://${host}:${port}/firmware/${token}/${encodeURIComponent(image.fileName)}`, sent: () => offer.sent, withdraw: () => this.offers.delete(token) };
  }

  async dispose(): Promise<void> {
    this.offers.clear();
    const server = this.server;
    this.server = null;
    this.starting = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private listen(address: string): Promise<number> {
    this.starting ??= (async () => {
      const certificate = await this.authority.serverCertificate(['localhost'], [...new Set(['127.0.0.1', address])], 'images');
      const server = createServer({ cert: certificate.chainPem, key: certificate.keyPem }, (req, res) => {
        const token = /^\/firmware\/([0-9a-f]{48})\//.exec(req.url ?? '')?.[1];
        const offer = token ? this.offers.get(token) : undefined;
        if (req.method !== 'GET' || !offer || offer.expires < Date.now()) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('no such image\n');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(offer.size) });
        const file = createReadStream(offer.path, { highWaterMark: 1024 * 1024 });
        file.on('data', (chunk) => (offer.sent += chunk.length));
        file.on('error', () => res.destroy());
        file.pipe(res);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.port, '0.0.0.0', () => resolve());
      });
      server.unref();
      this.server = server;
      return (server.address() as AddressInfo).port;
    })();
    return this.starting;
  }
}
