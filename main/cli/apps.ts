import { Command, Option } from 'commander';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decimalSize } from '../../shared/domain/engine.js';
import type { PushResult } from '../../shared/domain/apps.js';
import { createCore, type Core } from '../core/index.js';
import { packRelease } from '../core/services/apps/pack.js';
import { ed25519PrivateKey, newPublisherKeys } from '../core/services/apps/signing.js';
import { defaultDataDir } from './paths.js';

async function withCore<T>(dataDir: string | undefined, work: (core: Core) => Promise<T>): Promise<T> {
  const core = createCore({ dataDir: resolve(dataDir ?? defaultDataDir()), host: 'server' });
  try {
    return await work(core);
  } finally {
    core.close();
  }
}

const dataDirOption = () => new Option('-d, --data-dir <dir>', "the center's data directory (default: as edgecab serve)");

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function pushSummary(result: PushResult): string {
  const { release } = result;
  return [
    `RELEASE ${release.appId} ${release.version}  ${release.name.en} / ${release.name['zh-CN']}`,
    `  signed by   ${release.signer.name ?? '?'} (key ${release.signer.keyId.slice(0, 16)}…)`,
    `  images      ${release.images.length}, ${decimalSize(release.sizeBytes)}`,
    `  stored      ${result.storedBlobs} new blob(s), ${decimalSize(result.storedBytes)}; ${result.sharedBlobs} already held`,
  ].join('\n');
}

/** `edgecab apps keygen|pack|trust|push|list` — the publisher's side (keys, signed bundles) and the center's repository. */
export function appsCommand(): Command {
  const apps = new Command('apps').description('the app repository: publisher keys, signed release bundles, upload and list');

  apps
    .command('keygen')
    .description("make a publisher's Ed25519 key pair: <prefix>.key (private, keep it safe) and <prefix>.pub (give it to the administrator)")
    .requiredOption('--out <prefix>', 'where to write the two files, e.g. ./branch-it')
    .option('--json', 'machine-readable output')
    .action((options: { out: string; json?: boolean }) => {
      const keyPath = `${options.out}.key`;
      const pubPath = `${options.out}.pub`;
      for (const path of [keyPath, pubPath]) if (existsSync(path)) throw new Error(`${path} exists already; a key is never overwritten`);
      const keys = newPublisherKeys();
      writeFileSync(keyPath, keys.privateKey, { mode: 0o600, flag: 'wx' });
      chmodSync(keyPath, 0o600);
      writeFileSync(pubPath, `${keys.publicKey}\n`, { flag: 'wx' });
      if (options.json) console.log(JSON.stringify({ event: 'keys', keyId: keys.keyId, privateKey: resolve(keyPath), publicKey: resolve(pubPath) }));
      else console.log(`publisher key ${keys.keyId}\n  private  ${resolve(keyPath)} (mode 600; never leaves the publisher)\n  public   ${resolve(pubPath)} (for: edgecab apps trust)`);
    });

  apps
    .command('pack')
    .description('sign a release: its manifest and its images (docker save / podman save) into one bundle')
    .requiredOption('--manifest <file>', 'the release manifest (JSON, schema edgecab.app/v1)')
    .requiredOption('--images <file>', 'the image archive, as `docker save` or `podman save` writes it')
    .requiredOption('--key <file>', "the publisher's private key (from edgecab apps keygen)")
    .requiredOption('--out <file>', 'the bundle to write, e.g. branch-web-1.0.0.ecapp')
    .option('--json', 'machine-readable output')
    .action(async (options: { manifest: string; images: string; key: string; out: string; json?: boolean }) => {
      const manifest = Buffer.from(readText(options.manifest, 'the manifest'));
      const key = ed25519PrivateKey(readText(options.key, 'the key'));
      if (!existsSync(options.images)) throw new Error(`cannot read the image archive ${options.images}: ENOENT`);
      if (existsSync(options.out)) throw new Error(`${options.out} exists already`);
      const packed = await packRelease(manifest, key, options.images, options.out);
      const size = statSync(options.out).size;
      if (options.json) console.log(JSON.stringify({ event: 'packed', ...packed, bundle: resolve(options.out), sizeBytes: size }));
      else console.log(`packed ${packed.appId} ${packed.version}, signed with key ${packed.keyId.slice(0, 16)}…: ${resolve(options.out)} (${decimalSize(size)})`);
    });

  apps
    .command('trust <public-key-file>')
    .description("trust a publisher's public key: releases it signed may be uploaded")
    .requiredOption('--name <name>', 'who the publisher is, as the repository shows it')
    .addOption(dataDirOption())
    .option('--json', 'machine-readable output')
    .action((file: string, options: { name: string; dataDir?: string; json?: boolean }) =>
      withCore(options.dataDir, async (core) => {
        const publisher = core.services.apps.trust({ name: options.name, publicKey: readText(file, 'the public key').trim() }, 'cli');
        if (options.json) console.log(JSON.stringify({ event: 'trusted', keyId: publisher.keyId, name: publisher.name }));
        else console.log(`trusted ${publisher.name}: key ${publisher.keyId}`);
      }),
    );

  apps
    .command('push <bundle>')
    .description('upload a signed release bundle to the repository (checked before anything is kept)')
    .addOption(dataDirOption())
    .option('--json', 'machine-readable output (progress stays on stderr)')
    .action((bundle: string, options: { dataDir?: string; json?: boolean }) =>
      withCore(options.dataDir, async (core) => {
        let total: number;
        try {
          total = statSync(bundle).size;
        } catch (error) {
          throw new Error(`cannot read the bundle ${bundle}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        let read = 0;
        let shown = -1;
        const progress = (bytes: number) => {
          read += bytes;
          const percent = Math.floor((read / total) * 100);
          if (percent !== shown && process.stderr.isTTY) {
            shown = percent;
            process.stderr.write(`\rchecking images ${percent}% (${decimalSize(read)} of ${decimalSize(total)})`);
          }
        };
        const result = await core.services.apps.pushFile(bundle, 'cli', progress).finally(() => {
          if (shown >= 0) process.stderr.write('\n');
        });
        if (options.json) console.log(JSON.stringify({ event: 'pushed', appId: result.release.appId, version: result.release.version, signer: result.release.signer, sizeBytes: result.release.sizeBytes, storedBlobs: result.storedBlobs, storedBytes: result.storedBytes, sharedBlobs: result.sharedBlobs }));
        else console.log(pushSummary(result));
      }),
    );

  apps
    .command('list')
    .description('the apps in the repository and their versions')
    .addOption(dataDirOption())
    .option('--json', 'machine-readable output: one JSON object per release')
    .action((options: { dataDir?: string; json?: boolean }) =>
      withCore(options.dataDir, async (core) => {
        const summaries = core.services.apps.apps();
        for (const app of summaries) {
          for (const release of core.services.apps.releases(app.appId)) {
            if (options.json) console.log(JSON.stringify({ appId: release.appId, version: release.version, name: release.name, sizeBytes: release.sizeBytes, images: release.images.map((image) => image.id), signer: release.signer, signerTrusted: release.signerTrusted, uploadedAt: release.uploadedAt }));
            else console.log(`${release.appId} ${release.version}  ${decimalSize(release.sizeBytes)}  signed by ${release.signer.name ?? release.signer.keyId.slice(0, 16)}${release.signerTrusted ? '' : ' (no longer trusted)'}  ${release.uploadedAt}`);
          }
        }
        if (summaries.length === 0 && !options.json) console.log('the repository holds no apps yet (edgecab apps push <bundle>)');
      }),
    );
  return apps;
}
