import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../main/server/openapi.js';
import { contract } from '../../shared/contract/index.js';

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
});
