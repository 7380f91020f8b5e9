// `npm run bench [-- <suite>]`: runs test/bench/<suite>.ts (all suites when none is named),
// each compiled by esbuild and run by Node; every figure prints as `BENCH <suite>.<figure> <value> <unit>`.
// A suite exits non-zero when any of its operations failed; then this exits 1 too, after running the rest.
// Helpers live in test/bench/lib/ and bench-only pages in folders of their own, so they are not suites.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const benchDir = `${root}/test/bench`;
const suites = readdirSync(benchDir)
  .filter((file) => file.endsWith('.ts') && file !== 'report.ts')
  .map((file) => file.replace(/\.ts$/, ''));
const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!suites.includes(name)) {
    console.error(`bench: no suite "${name}"; suites: ${suites.join(', ')}`);
    process.exit(2);
  }
}
if (!existsSync(`${root}/dist/main/cli.mjs`)) {
  console.error('bench: EdgeCab is not built; run `npm run build` first');
  process.exit(2);
}
let failed = false;
for (const suite of wanted.length ? wanted : suites) {
  const outfile = `${root}/.cache/bench/${suite}.mjs`;
  await build({
    entryPoints: [`${benchDir}/${suite}.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const result = spawnSync(process.execPath, [outfile], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    // A suite killed by a signal has no status: that is a failure too.
    const how = result.error ? result.error.message : result.signal ? `killed by ${result.signal}` : `exit code ${result.status}`;
    console.error(`bench: suite ${suite} failed (${how})`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
