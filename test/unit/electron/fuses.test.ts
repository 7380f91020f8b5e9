import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const config = readFileSync(join(root, 'electron-builder.yml'), 'utf8');

/**
 * The top-level `key:` block of the YAML file as `name: value` pairs. The
 * project has no YAML parser and must not add one; the packaging config is
 * kept simple enough (block mappings, scalar values) for this reader, which
 * fails loudly on anything it does not understand inside the block.
 */
function topLevelBlock(yaml: string, key: string): Record<string, string> {
  const lines = yaml.split('\n');
  const starts = lines.flatMap((line, index) => (line === `${key}:` ? [index] : []));
  if (starts.length !== 1) throw new Error(`expected exactly one top-level "${key}:", found ${starts.length}`);
  const entries: Record<string, string> = {};
  for (const line of lines.slice(starts[0]! + 1)) {
    if (line.trim() === '' || /^\s+#/.test(line)) continue;
    if (!line.startsWith(' ')) break;
    const match = /^ {2}([A-Za-z0-9]+): ([^\s#]+)\s*(#.*)?$/.exec(line);
    if (!match) throw new Error(`not a "name: value" line in ${key}: ${line}`);
    const [, name, value] = match as unknown as [string, string, string];
    if (name in entries) throw new Error(`${name} is set twice in ${key}`);
    entries[name] = value;
  }
  return entries;
}

function topLevelScalar(yaml: string, key: string): string | undefined {
  return new RegExp(`^${key}: (\\S+)`, 'm').exec(yaml)?.[1];
}

describe('Electron fuses flipped at packaging (electron-builder.yml electronFuses)', () => {
  const fuses = topLevelBlock(config, 'electronFuses');

  it.each([
    ['runAsNode', 'false', 'ELECTRON_RUN_AS_NODE cannot turn the binary into Node'],
    ['enableNodeOptionsEnvironmentVariable', 'false', 'NODE_OPTIONS is ignored'],
    ['enableNodeCliInspectArguments', 'false', '--inspect is ignored'],
    ['enableCookieEncryption', 'true', 'cookies are encrypted with the OS keychain'],
    ['enableEmbeddedAsarIntegrityValidation', 'true', 'app.asar is checked against its embedded hash'],
    ['onlyLoadAppFromAsar', 'true', 'only app.asar is loaded'],
    ['grantFileProtocolExtraPrivileges', 'false', 'file:// has no extra privileges'],
  ])('%s is %s: %s', (fuse, value) => {
    expect(fuses[fuse]).toBe(value);
  });

  it('names only fuses electron-builder knows, each a boolean', () => {
    const known = [
      'runAsNode',
      'enableCookieEncryption',
      'enableNodeOptionsEnvironmentVariable',
      'enableNodeCliInspectArguments',
      'enableEmbeddedAsarIntegrityValidation',
      'onlyLoadAppFromAsar',
      'loadBrowserProcessSpecificV8Snapshot',
      'grantFileProtocolExtraPrivileges',
      'resetAdHocDarwinSignature',
    ];
    for (const [name, value] of Object.entries(fuses)) {
      expect(known, name).toContain(name);
      expect(['true', 'false'], name).toContain(value);
    }
  });

  it('packs the app into an asar archive (onlyLoadAppFromAsar and the integrity check depend on it)', () => {
    expect(topLevelScalar(config, 'asar')).toBe('true');
  });

  it('asks for an electron-builder that applies electronFuses itself (26 or later)', () => {
    expect(config).toMatch(/npx electron-builder@2[6-9]\b/);
  });

  it('leaves no afterPack hook that could flip the fuses back', () => {
    expect(topLevelScalar(config, 'afterPack')).toBeUndefined();
  });
});
