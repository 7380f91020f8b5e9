/**
 * The import table of ../shared/DESIGN.md, enforced. `npm run lint` fails on any violation.
 *   shared/      → shared/ and pure libraries; never node:*, electron, react, DOM, main/, renderer/
 *   main/core    → shared/, Node, itself; never electron, renderer/, main/electron|server|cli
 *   main/<host>  → shared/, main/core; never renderer/ (and hosts do not import each other)
 *   renderer/    → shared/, React and browser libraries; never electron, node:*, main/
 */
const BROWSER_OR_UI = '^(react|react-dom|react-router|react-i18next|i18next|@tanstack/react-virtual|@orpc/client|vite)(/|$)';

module.exports = {
  forbidden: [
    {
      name: 'shared-is-pure',
      comment: 'shared/ runs everywhere: no Node built-ins.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-imports-only-shared',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(main|renderer)/' },
    },
    {
      name: 'shared-no-ui-or-electron',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: `(^|node_modules/)(electron|${BROWSER_OR_UI.slice(1)})` },
    },
    {
      name: 'core-is-host-agnostic',
      comment: 'main/core runs in Electron utility process and in the server alike.',
      severity: 'error',
      from: { path: '^main/core/' },
      to: { path: '^(renderer/|main/(electron|server|cli|lab)/)' },
    },
    {
      name: 'core-no-electron',
      severity: 'error',
      from: { path: '^main/core/' },
      to: { path: '(^|node_modules/)electron(/|$)' },
    },
    {
      name: 'core-no-ui-libraries',
      severity: 'error',
      from: { path: '^main/' },
      to: { path: `node_modules/${BROWSER_OR_UI.slice(1)}` },
    },
    {
      name: 'hosts-never-import-renderer',
      severity: 'error',
      from: { path: '^main/' },
      to: { path: '^renderer/' },
    },
    {
      name: 'hosts-stay-apart',
      comment: 'Electron specifics stay in main/electron, HTTP specifics in main/server.',
      severity: 'error',
      from: { path: '^main/(electron|lab)/' },
      to: { path: '^main/(server|cli)/' },
    },
    {
      name: 'server-no-electron',
      severity: 'error',
      from: { path: '^main/(server|cli|lab)/' },
      to: { path: '(^|node_modules/)electron(/|$)|^main/electron/' },
    },
    {
      name: 'renderer-no-node',
      comment: 'The renderer is sandboxed: no Node built-ins.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-no-main-or-electron',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^main/|(^|node_modules/)electron(/|$)' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, pathNot: '^electron$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|\\.cache)/' },
    tsConfig: { fileName: 'main/tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
