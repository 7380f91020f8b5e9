import { Command } from 'commander';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { firmwareSignedStatement } from '../../shared/domain/firmware-repository.js';
import { fileSha256 } from '../core/lib/file-sha256.js';
import { ed25519PrivateKey, signManifest } from '../core/services/apps/signing.js';
import { parseDescription } from '../core/services/firmware/descriptors.js';
import { readTextFile } from './command-files.js';

/** `edgecab firmware sign` — an administrator's (or vendor's) signature on a package description. */
export function firmwareCommand(): Command {
  const firmware = new Command('firmware').description('firmware packages: sign a description for the repository');

  firmware
    .command('sign <description>')
    .description('sign a package description (JSON, or XML 1.0/2.0) after checking it against its image; writes the signed description as JSON')
    .requiredOption('--image <file>', 'the firmware image the description describes')
    .requiredOption('--key <file>', 'a publisher private key (edgecab apps keygen); its public key must be trusted under Apps → Publishers')
    .requiredOption('--out <file>', 'where to write the signed description (JSON)')
    .option('--json', 'machine-readable output')
    .action(async (file: string, options: { image: string; key: string; out: string; json?: boolean }) => {
      const { description } = parseDescription(readTextFile(file, 'the description'));
      if (!existsSync(options.image)) throw new Error(`cannot read the image ${options.image}: ENOENT`);
      const size = statSync(options.image).size;
      if (size !== description.image.sizeBytes) throw new Error(`the image is ${size} bytes, its description says ${description.image.sizeBytes}: this is not the file described`);
      const sha256 = await fileSha256(options.image);
      if (sha256 !== description.image.sha256) throw new Error(`the image's SHA-256 is ${sha256}, its description says ${description.image.sha256}: this is not the file described`);
      if (existsSync(options.out)) throw new Error(`${options.out} exists already`);
      const signature = signManifest(Buffer.from(firmwareSignedStatement(description)), ed25519PrivateKey(readTextFile(options.key, 'the key')));
      writeFileSync(options.out, `${JSON.stringify({ schemaVersion: '2.0', ...description, signature }, null, 2)}\n`, { flag: 'wx' });
      if (options.json) console.log(JSON.stringify({ event: 'signed', keyId: signature.keyId, vendor: description.vendor, component: description.component, version: description.version, sha256, description: resolve(options.out) }));
      else console.log(`signed ${description.vendor} ${description.component} ${description.version} with key ${signature.keyId.slice(0, 16)}…: ${resolve(options.out)}`);
    });
  return firmware;
}
