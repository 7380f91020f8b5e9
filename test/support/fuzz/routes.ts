import type { JsonSchema } from './schema-arbitrary.js';

/** One REST route as the OpenAPI document describes it. */
export interface Route {
  method: string;
  /** The template, e.g. "/sites/{id}" (below /api/v1). */
  path: string;
  operationId: string;
  /** The contract's first tag: the group the summary reports it under. */
  tag: string;
  pathParams: { name: string; schema: JsonSchema }[];
  queryParams: { name: string; schema: JsonSchema; required: boolean }[];
  /** The JSON body's schema, if the route takes one. */
  body: JsonSchema | null;
  /** Content types the body may come in (application/json, multipart/form-data). */
  bodyTypes: string[];
  /** Statuses the contract declares. */
  statuses: number[];
}

interface OpenApiDocument {
  paths: Record<string, Record<string, {
    operationId?: string;
    tags?: string[];
    parameters?: { name: string; in: string; required?: boolean; schema: JsonSchema }[];
    requestBody?: { content: Record<string, { schema: JsonSchema }> };
    responses: Record<string, unknown>;
  }>>;
}

export function routesOf(document: unknown): Route[] {
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries((document as OpenApiDocument).paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content ?? {};
      routes.push({
        method: method.toUpperCase(),
        path,
        operationId: operation.operationId ?? `${method} ${path}`,
        tag: operation.tags?.[0] ?? 'other',
        pathParams: parameters.filter((parameter) => parameter.in === 'path').map(({ name, schema }) => ({ name, schema })),
        queryParams: parameters.filter((parameter) => parameter.in === 'query').map(({ name, schema, required }) => ({ name, schema, required: required ?? false })),
        body: content['application/json']?.schema ?? content['multipart/form-data']?.schema ?? null,
        bodyTypes: Object.keys(content),
        statuses: Object.keys(operation.responses).map(Number).filter(Number.isFinite),
      });
    }
  }
  return routes;
}

/** Fills a path template; values are inserted as given (the caller decides what is encoded). */
export function fillPath(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? '');
}
