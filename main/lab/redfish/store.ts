import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export type Resource = Record<string, unknown>;

export const ROOT = '/redfish/v1';

export function normalizePath(path: string): string {
  const clean = path.split('?')[0]!.replace(/\/+$/, '');
  return clean === '' ? '/' : clean;
}

function walkFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walkFiles(path) : [path];
  });
}

/**
 * Resources of one mockup, mutable in memory. A DMTF mockup tree maps its
 * folders to URIs (folder/index.json ↔ /redfish/v1/…); a folder of single
 * payloads captured from real BMCs is indexed by each payload's @odata.id.
 */
const parsed = new Map<string, Map<string, Resource>>();

/** Each lab BMC gets its own copy to change; a fleet of hundreds reads and parses the folder once. */
export function loadMockup(dir: string): Map<string, Resource> {
  let resources = parsed.get(dir);
  if (!resources) {
    resources = readMockup(dir);
    parsed.set(dir, resources);
  }
  return structuredClone(resources);
}

function readMockup(dir: string): Map<string, Resource> {
  const resources = new Map<string, Resource>();
  if (existsSync(join(dir, 'index.json'))) {
    for (const file of walkFiles(dir).filter((path) => path.endsWith(`${sep}index.json`) || path === join(dir, 'index.json'))) {
      const folder = relative(dir, file).split(sep).slice(0, -1).join('/');
      resources.set(normalizePath(folder ? `${ROOT}/${folder}` : ROOT), JSON.parse(readFileSync(file, 'utf8')) as Resource);
    }
    return resources;
  }
  for (const file of walkFiles(dir).filter((path) => path.endsWith('.json'))) {
    let payload: unknown;
    try {
      payload = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    if (typeof payload !== 'object' || payload === null) continue;
    // Some sample sets wrap variants of one resource: {"default": {...}, "other_case": {...}}; the first wins.
    const candidates = '@odata.id' in payload ? [payload] : Object.values(payload as Resource);
    for (const candidate of candidates) {
      if (typeof candidate !== 'object' || candidate === null) continue;
      const id = (candidate as Resource)['@odata.id'];
      if (typeof id !== 'string' || !id.startsWith('/redfish/v1')) continue;
      const path = normalizePath(id);
      if (!resources.has(path)) resources.set(path, candidate as Resource);
    }
  }
  if (!resources.has(ROOT)) {
    // Captured payload sets often lack the root: give them one that links what is there.
    const root: Resource = { '@odata.id': ROOT, '@odata.type': '#ServiceRoot.v1_5_0.ServiceRoot', Id: 'RootService', Name: 'Root Service', RedfishVersion: '1.6.0' };
    for (const name of ['Systems', 'Chassis', 'Managers', 'UpdateService', 'AccountService', 'EventService', 'SessionService']) {
      const path = `${ROOT}/${name}`;
      if ([...resources.keys()].some((key) => key === path || key.startsWith(`${path}/`))) root[name] = { '@odata.id': path };
    }
    resources.set(ROOT, root);
  }
  return resources;
}

/** A collection made up on the fly from the resources one level below `path`, for payload sets that lack it. */
export function synthesizeCollection(resources: Map<string, Resource>, path: string): Resource | null {
  const prefix = `${path}/`;
  const members = [...resources.keys()].filter((key) => key.startsWith(prefix) && !key.slice(prefix.length).includes('/'));
  if (members.length === 0) return null;
  return {
    '@odata.id': path,
    '@odata.type': '#Collection.Collection',
    Name: path.split('/').at(-1),
    'Members@odata.count': members.length,
    Members: members.map((member) => ({ '@odata.id': member })),
  };
}
