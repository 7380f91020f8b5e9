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

/** The mockup as parsed once per folder, frozen: lab BMCs share it and copy only what they change (ResourceStore). */
export function sharedMockup(dir: string): ReadonlyMap<string, Resource> {
  let resources = parsed.get(dir);
  if (!resources) {
    resources = readMockup(dir);
    for (const resource of resources.values()) deepFreeze(resource);
    parsed.set(dir, resources);
  }
  return resources;
}

/** A whole copy of the mockup to change freely (tests that build odd answers from it). */
export function loadMockup(dir: string): Map<string, Resource> {
  return structuredClone(new Map(sharedMockup(dir)));
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/**
 * One BMC's resources: the shared mockup, with this BMC's own copy of each
 * resource it changed. `get` is for changing (it copies the shared resource
 * the first time); `peek` is for reading and copies nothing, so ten thousand
 * lab BMCs cost what they changed, not a mockup each.
 */
export class ResourceStore {
  private readonly own = new Map<string, Resource>();
  private readonly removed = new Set<string>();

  constructor(private readonly base: ReadonlyMap<string, Resource>) {}

  /** The resource to change in place (this BMC's own copy). */
  get(path: string): Resource | undefined {
    const own = this.own.get(path);
    if (own) return own;
    if (this.removed.has(path)) return undefined;
    const shared = this.base.get(path);
    if (!shared) return undefined;
    const copy = structuredClone(shared);
    this.own.set(path, copy);
    return copy;
  }

  /** The resource to read only: the shared one while this BMC has not changed it (frozen, so a write throws). */
  peek(path: string): Resource | undefined {
    return this.own.get(path) ?? (this.removed.has(path) ? undefined : this.base.get(path));
  }

  /** Whether the resource is the shared one, unchanged (its serialized answer can be shared too). */
  isShared(resource: Resource): boolean {
    return Object.isFrozen(resource);
  }

  has(path: string): boolean {
    return this.peek(path) !== undefined;
  }

  set(path: string, resource: Resource): void {
    this.removed.delete(path);
    this.own.set(path, resource);
  }

  delete(path: string): boolean {
    const existed = this.has(path);
    this.own.delete(path);
    if (this.base.has(path)) this.removed.add(path);
    return existed;
  }

  *keys(): IterableIterator<string> {
    for (const path of this.base.keys()) if (!this.removed.has(path)) yield path;
    for (const path of this.own.keys()) if (!this.base.has(path)) yield path;
  }

  /** Every resource, to read only (see peek). */
  *entries(): IterableIterator<[string, Resource]> {
    for (const path of this.keys()) yield [path, this.peek(path)!];
  }
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
export function synthesizeCollection(resources: { keys(): Iterable<string> }, path: string): Resource | null {
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
