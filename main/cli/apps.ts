import { Command, InvalidArgumentError } from 'commander';
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { decimalSize } from '../../shared/domain/engine.js';
import type { PushResult } from '../../shared/domain/apps.js';
import { packRelease } from '../core/services/apps/pack.js';
import { ed25519PrivateKey, newPublisherKeys } from '../core/services/apps/signing.js';
import { dataDirOption as dataDirOptionFor, readTextFile, withCore } from './command-files.js';
import { engineClientFor, withEngineConnectionOptions, type EngineConnectionOptions } from './probe-engine.js';
import { deployToEngine, type DeployProgress } from '../core/services/apps/site-deploy.js';
import type { ParameterValue } from '../../shared/domain/apps.js';

const dataDirOption = () => dataDirOptionFor("the center's data directory (default: as edgecab serve)");

function pushSummary(result: PushResult): string {
  const { release } = result;
  return [
    `RELEASE ${release.appId} ${release.version}  ${release.name.en} / ${release.name['zh-CN']}`,
    `  signed by   ${release.signer.name ?? '?'} (key ${release.signer.keyId.slice(0, 16)}…)`,
    `  images      ${release.images.length}, ${decimalSize(release.sizeBytes)}`,
    `  stored      ${result.storedBlobs} new blob(s), ${decimalSize(result.storedBytes)}; ${result.sharedBlobs} already held`,
  ].join('\n');
}

/** `--param KEY=VALUE`, repeatable; the value is typed as the manifest says when it is checked (a number or true/false where the text is one). */
function parseParam(value: string, previous: Record<string, ParameterValue> = {}): Record<string, ParameterValue> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('KEY=VALUE');
  const key = value.slice(0, at);
  const text = value.slice(at + 1);
  const typed: ParameterValue = /^-?\d+$/.test(text) ? Number(text) : text === 'true' ? true : text === 'false' ? false : text;
  return { ...previous, [key]: typed };
}

function secondsArgument(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600) throw new InvalidArgumentError('whole seconds from 0 to 3600');
  return seconds;
}

interface DeployCliOptions extends EngineConnectionOptions {
  engine: string;
  param?: Record<string, ParameterValue>;
  stable: number;
  startTimeout: number;
  stopTimeout: number;
  rollback: boolean;
  dataDir?: string;
  json?: boolean;
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
      const manifest = Buffer.from(readTextFile(options.manifest, 'the manifest'));
      const key = ed25519PrivateKey(readTextFile(options.key, 'the key'));
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
        const publisher = core.services.apps.trust({ name: options.name, publicKey: readTextFile(file, 'the public key').trim() }, 'cli');
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
  const deploy = apps
    .command('deploy <app> <version>')
    .description("put a release from the repository on one engine by hand (a technician's deployment): the images it lacks are sent, its containers started and watched until healthy; on failure the previous version comes back")
    .requiredOption('--engine <url>', 'the engine: unix:/run/podman/podman.sock, or https://host:port (mutual TLS)')
    .option('--param <KEY=VALUE>', "a parameter of the release for this site (repeat for more)", parseParam)
    .option('--stable <seconds>', 'how long every container must stay healthy', secondsArgument, 30)
    .option('--start-timeout <seconds>', 'how long a container may take to pass its first health check', secondsArgument, 120)
    .option('--stop-timeout <seconds>', 'how long a stopping container of the previous version gets before it is killed', secondsArgument, 10)
    .option('--no-rollback', 'on failure, do not start the previous version again')
    .addOption(dataDirOption())
    .option('--json', 'machine-readable output: progress lines, then the outcome');
  withEngineConnectionOptions(deploy).action((appId: string, version: string, options: DeployCliOptions) =>
    withCore(options.dataDir, async (core) => {
      const release = core.services.apps.verifiedRelease(appId, version);
      const client = engineClientFor(options.engine, options);
      let lastShown = '';
      const show = (progress: DeployProgress) => {
        if (options.json) {
          const line = JSON.stringify({ event: 'progress', ...progress });
          if (progress.state !== 'transferring' || line !== lastShown) console.log(line);
          lastShown = line;
        } else if (progress.state === 'transferring' && progress.bytesTotal) {
          if (process.stderr.isTTY) process.stderr.write(`\rtransferring ${Math.floor(((progress.bytesSent ?? 0) / progress.bytesTotal) * 100)}% of ${decimalSize(progress.bytesTotal)}`);
        } else {
          if (process.stderr.isTTY && lastShown === 'transferring') process.stderr.write('\n');
          console.error(`${progress.state}${progress.detail ? `: ${progress.detail}` : ''}`);
        }
        if (!options.json) lastShown = progress.state;
      };
      try {
        const outcome = await deployToEngine(client, core.services.apps, release, options.param ?? {}, { stableSeconds: options.stable, startTimeoutSeconds: options.startTimeout, rollbackOnFailure: options.rollback, rolloutId: null, stopSeconds: options.stopTimeout, onProgress: show });
        if (options.json) console.log(JSON.stringify({ event: 'outcome', appId, version, ...outcome }));
        else console.log(`${appId} ${version}: ${outcome.state}${outcome.detail ? ` (${outcome.detail})` : ''}${outcome.previousVersion ? `; previous version ${outcome.previousVersion}` : ''}; ${decimalSize(outcome.transferredBytes)} sent`);
        if (outcome.state !== 'healthy') process.exitCode = 5;
      } finally {
        await client.close();
      }
    }),
  );
  return apps;
}
