import { Command, InvalidArgumentError, Option } from 'commander';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { ROLES, type Grant, type Role } from '../../shared/domain/access.js';
import type { Core } from '../core/index.js';
import { holdExclusiveLock } from '../core/db/data-dir-lock.js';
import { dataDirOption as dataDirOptionFor, withCore } from './command-files.js';
import { defaultDataDir } from './paths.js';

/** "administrator", "viewer@Guangdong/Shenzhen", "operator@12": a role on every region, or on one by path or id. */
function parseGrant(value: string, previous: string[] = []): string[] {
  const [role] = value.split('@');
  if (!(ROLES as readonly string[]).includes(role ?? '')) throw new InvalidArgumentError(`a role (${ROLES.join(', ')}), optionally @region-path`);
  return [...previous, value];
}

function resolveGrants(core: Core, specs: readonly string[]): Grant[] {
  return specs.map((spec) => {
    const at = spec.indexOf('@');
    const role = (at === -1 ? spec : spec.slice(0, at)) as Role;
    if (at === -1) return { role, regionId: null };
    const where = spec.slice(at + 1);
    const regions = core.services.regions.list();
    const region = regions.find((each) => each.path === where || String(each.id) === where);
    if (!region) throw new Error(`no region "${where}" (give its path, e.g. Guangdong/Shenzhen, or its id)`);
    return { role, regionId: region.id };
  });
}

/** The password from stdin (one line), so it never shows in the process list or the shell history; a terminal does not echo it. */
async function readPassword(prompt: string): Promise<string> {
  if (process.stdin.isTTY) return readHidden(prompt);
  const input = createInterface({ input: process.stdin, terminal: false });
  for await (const line of input) {
    input.close();
    return line;
  }
  throw new Error('no password given on stdin');
}

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolvePassword, reject) => {
    let typed = '';
    const done = (error: Error | null) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolvePassword(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(null);
        if (char === '\u0003' || char === '\u0004') return done(new Error('cancelled'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (char >= ' ') typed += char;
      }
    };
    stdin.on('data', onData);
  });
}

const dataDirOption = () => dataDirOptionFor('the database to change (default: as edgecab serve)');

/** `edgecab users add|passwd|disable|enable|list` — also for when nobody can sign in any more. */
export function usersCommand(): Command {
  const users = new Command('users').description('manage who may sign in to server mode, and their roles per region');
  users
    .command('add <name>')
    .description('add a user; the password is read from stdin')
    .addOption(dataDirOption())
    .option('-r, --role <role[@region]>', `a role (${ROLES.join(', ')}) on every region, or @region-path for one region and below; repeatable`, parseGrant, [])
    .option('--display-name <name>', 'the name shown in the UI')
    .action(async (name: string, options: { dataDir?: string; role: string[]; displayName?: string }) =>
      withCore(options.dataDir, async (core) => {
        const grants = resolveGrants(core, options.role.length ? options.role : ['viewer']);
        const password = await readPassword(`Password for ${name}: `);
        const user = await core.client('cli').users.create({ name, displayName: options.displayName ?? null, password, grants });
        console.log(JSON.stringify({ event: 'user', id: user.id, name: user.name, grants: user.grants }));
      }),
    );
  users
    .command('passwd <name>')
    .description("set a user's password (read from stdin); their sessions end")
    .addOption(dataDirOption())
    .action(async (name: string, options: { dataDir?: string }) =>
      withCore(options.dataDir, async (core) => {
        const user = core.services.identity.userByName(name);
        if (!user) throw new Error(`no user "${name}"`);
        const password = await readPassword(`New password for ${name}: `);
        await core.client('cli').users.setPassword({ id: user.id, password });
        console.log(JSON.stringify({ event: 'password', name: user.name }));
      }),
    );
  for (const [command, disabled] of [['disable', true], ['enable', false]] as const) {
    users
      .command(`${command} <name>`)
      .description(disabled ? 'stop a user from signing in; their sessions end at once' : 'let a disabled user sign in again')
      .addOption(dataDirOption())
      .action(async (name: string, options: { dataDir?: string }) =>
        withCore(options.dataDir, async (core) => {
          const user = core.services.identity.userByName(name);
          if (!user) throw new Error(`no user "${name}"`);
          await core.client('cli').users.update({ id: user.id, disabled });
          console.log(JSON.stringify({ event: command, name: user.name }));
        }),
      );
  }
  users
    .command('list')
    .description('every user with their roles')
    .addOption(dataDirOption())
    .action(async (options: { dataDir?: string }) =>
      withCore(options.dataDir, async (core) => {
        for (const user of core.services.identity.listUsers()) console.log(JSON.stringify({ name: user.name, disabled: user.disabled, grants: user.grants }));
      }),
    );
  return users;
}

/** `edgecab tokens create|revoke|list` — API tokens for scripts and upper-level systems. */
export function tokensCommand(): Command {
  const tokens = new Command('tokens').description('API tokens (Authorization: Bearer …) for the northbound REST API');
  tokens
    .command('create <name>')
    .description('create a token for a user and print it once')
    .addOption(dataDirOption())
    .requiredOption('-u, --user <name>', 'the user the token acts for')
    .addOption(new Option('--scope <role>', 'the most the token may do').choices([...ROLES]).default('viewer'))
    .option('--days <n>', 'valid for this many days (0: until revoked)', (value) => Number(value), 90)
    .action(async (name: string, options: { dataDir?: string; user: string; scope: Role; days: number }) =>
      withCore(options.dataDir, async (core) => {
        const user = core.services.identity.userByName(options.user);
        if (!user) throw new Error(`no user "${options.user}"`);
        const created = core.services.identity.createToken(user.id, { name, scope: options.scope, expiresInDays: options.days > 0 ? options.days : null });
        console.log(JSON.stringify({ event: 'token', id: created.id, name: created.name, scope: created.scope, expiresAt: created.expiresAt, token: created.token }));
      }),
    );
  tokens
    .command('revoke <id>')
    .description('revoke a token')
    .addOption(dataDirOption())
    .action(async (id: string, options: { dataDir?: string }) =>
      withCore(options.dataDir, async (core) => {
        const token = await core.client('cli').tokens.revoke({ id });
        console.log(JSON.stringify({ event: 'revoked', id: token.id, name: token.name }));
      }),
    );
  tokens
    .command('list')
    .addOption(dataDirOption())
    .action(async (options: { dataDir?: string }) =>
      withCore(options.dataDir, async (core) => {
        for (const token of core.services.identity.listTokens(null)) console.log(JSON.stringify(token));
      }),
    );
  return tokens;
}

/** `edgecab vault rotate`: every sealed secret re-sealed under a new key. */
export function vaultCommand(): Command {
  const vault = new Command('vault').description("the vault that seals device credentials and EdgeCab's own keys");
  vault
    .command('rotate')
    .description('re-seal every secret under a new key (refused while EdgeCab runs on the data directory); safe to interrupt')
    .addOption(dataDirOption())
    .action(async (options: { dataDir?: string }) => {
      // A running EdgeCab keeps the old key in memory and would go on sealing with it: refused while one holds the
      // directory, and none can start until the rotation is done.
      const lock = holdExclusiveLock(resolve(options.dataDir ?? defaultDataDir()), 'edgecab vault rotate');
      try {
        await withCore(options.dataDir, async (core) => {
          const result = core.services.vault.rotateKey();
          core.services.audit.record({ actor: 'cli', via: 'cli', operation: 'vault.rotate', target: null, outcome: 'ok', errorCode: null, detail: `${result.resealed} secrets re-sealed` });
          console.log(JSON.stringify({ event: 'rotated', resealed: result.resealed }));
        });
      } finally {
        lock.release();
      }
    });
  return vault;
}
