import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../main/server/openapi.js';
import { contract } from '../../shared/contract/index.js';
import { POLICIES } from '../../main/core/api/permissions.js';
import type { z } from 'zod';

type Route = { method?: string; path?: string };

function procedures(): [string, Route][] {
  return Object.entries(contract).flatMap(([group, operations]) =>
    Object.entries(operations).map(([name, procedure]): [string, Route] => [
      `${group}.${name}`,
      (procedure as unknown as { '~orpc': { route: Route } })['~orpc'].route,
    ]),
  );
}

describe('contract', () => {
  it('gives every operation a REST method and path', () => {
    for (const [name, route] of procedures()) {
      expect(route.method, name).toMatch(/^(GET|POST|PATCH|PUT|DELETE)$/);
      expect(route.path, name).toMatch(/^\//);
    }
  });

  it('generates an OpenAPI document with every route and the 400 problem shape', async () => {
    const document = (await buildOpenApiDocument()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toMatch(/^3\./);
    for (const [name, route] of procedures()) {
      const path = route.path!.replace(/\{(\w+)\}/g, '{$1}');
      expect(document.paths[path]?.[route.method!.toLowerCase()], name).toBeDefined();
    }
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/sites', '/sites/{id}', '/sites/import', '/regions', '/regions/{id}', '/audit', '/events']),
    );
  });

  it('gives every operation a permission (role and where), none left to the fallback', () => {
    const missing = procedures().map(([name]) => name).filter((name) => !(name in POLICIES));
    expect(missing).toEqual([]);
  });
});

/** The boolean fields of a GET route's input (query parameters), found through the schema's wrappers. */
function booleanFields(schema: z.ZodType | undefined): string[] {
  const def = (value: z.ZodType) => (value as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; shape?: Record<string, z.ZodType>; options?: z.ZodType[] } } })._zod.def;
  const isBoolean = (value: z.ZodType | undefined): boolean => {
    if (!value) return false;
    const d = def(value);
    if (d.type === 'boolean') return true;
    if (d.innerType) return isBoolean(d.innerType);
    if (d.type === 'union') return (d.options ?? []).some(isBoolean);
    return false;
  };
  if (!schema) return [];
  const d = def(schema);
  const shape = d.shape ?? (d.innerType ? def(d.innerType).shape : undefined) ?? {};
  return Object.entries(shape).filter(([, field]) => isBoolean(field)).map(([name]) => name);
}

describe('query booleans', () => {
  const routes = procedures().filter(([, route]) => route.method === 'GET');
  const withBooleans = routes
    .map(([name]) => {
      const [group, operation] = name.split('.') as [keyof typeof contract, string];
      const procedure = (contract[group] as Record<string, unknown>)[operation] as { '~orpc': { inputSchema?: z.ZodType } };
      return { name, schema: procedure['~orpc'].inputSchema, fields: booleanFields(procedure['~orpc'].inputSchema) };
    })
    .filter((route) => route.fields.length > 0);

  it('finds the GET routes that take booleans', () => {
    expect(withBooleans.map((route) => route.name)).toContain('alarms.list');
  });

  for (const route of withBooleans) {
    it(`${route.name}: "false" in the query string is false, "true" is true, anything else is refused`, () => {
      for (const field of route.fields) {
        expect((route.schema!.parse({ [field]: 'false' }) as Record<string, unknown>)[field], field).toBe(false);
        expect((route.schema!.parse({ [field]: '0' }) as Record<string, unknown>)[field], field).toBe(false);
        expect((route.schema!.parse({ [field]: 'true' }) as Record<string, unknown>)[field], field).toBe(true);
        expect((route.schema!.parse({ [field]: true }) as Record<string, unknown>)[field], field).toBe(true);
        expect(route.schema!.safeParse({ [field]: 'maybe' }).success, field).toBe(false);
      }
    });
  }
});
