import fc from 'fast-check';
import type { RawRequest } from './http.js';
import { fillPath, type Route } from './routes.js';
import { arbitraryOf, HOSTILE_STRINGS, hostileValue, mutatedOf, toJson, type JsonSchema, type Overrides } from './schema-arbitrary.js';

/** A request body as the fuzz sends it, with a note saying what was done to it. */
export type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown; note: string }
  | { kind: 'text'; text: string | Buffer; contentType: string | null; note: string };

/** One generated request to a route, before the caller adds credentials. */
export interface RouteCase {
  path: string;
  query: string;
  body: Body;
  headers: [string, string][];
  chunked: boolean;
  /** The JSON value of the body when it is one (to find the secrets it carries). */
  input: unknown;
  note: string;
}

/** Where path parameters come from: ids of objects that exist (the caller's pools), and what the schema allows. */
export type Pools = Readonly<Record<string, readonly string[]>>;

/** Path parameter values that are not ids: traversal, encodings, sizes, types. Sent raw or encoded. */
const HOSTILE_SEGMENTS: readonly string[] = [
  '..', '.', '../users', '..%2F..%2Fusers', '%2e%2e', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '%00', '%', '%zz', '%E0%A4%A', '%C0%AF', '%ff',
  '0', '-1', '1.5', '1e3', '9007199254740993', '99999999999999999999999', 'NaN', 'Infinity', 'null', 'undefined', '__proto__', 'constructor',
  'a'.repeat(5000), '%20', '+', ';', '%3B', '~', '%u0041', '00000000-0000-0000-0000-000000000000', 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ',
];

/** encodeURIComponent, but lone surrogates (which it refuses) go out as the bytes Node would send for them. */
export function encodeAny(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  }
}

function pathValue(name: string, schema: JsonSchema, pools: Pools): fc.Arbitrary<{ value: string; note: string }> {
  const pool = pools[name] ?? [];
  const options: { weight: number; arbitrary: fc.Arbitrary<{ value: string; note: string }> }[] = [
    { weight: 2, arbitrary: arbitraryOf(schema).map((value) => ({ value: encodeAny(String(value)), note: 'random id' })) },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_SEGMENTS).map((value) => ({ value, note: 'hostile segment' })) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_STRINGS).map((value) => ({ value: encodeAny(value), note: 'hostile value' })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 20, unit: 'grapheme' }).map((value) => ({ value: encodeAny(value), note: 'unicode' })) },
  ];
  if (pool.length > 0) options.push({ weight: 5, arbitrary: fc.constantFrom(...pool).map((value) => ({ value: encodeAny(value), note: 'existing id' })) });
  return fc.oneof(...options);
}

function queryText(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(queryText);
  if (value !== null && typeof value === 'object') return [JSON.stringify(value)];
  return [String(value)];
}

type QueryPair = [key: string, value: string, raw: boolean];

const queryMutation: fc.Arbitrary<(pairs: QueryPair[]) => QueryPair[]> = fc.oneof(
  hostileValue.map((value) => (pairs: QueryPair[]) => (pairs.length ? [[pairs[0]![0], typeof value === 'string' ? value : toJson(value), false] as QueryPair, ...pairs.slice(1)] : pairs)),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom(...HOSTILE_STRINGS)).map(([key, value]) => (pairs: QueryPair[]) => [...pairs, [key, value, false] as QueryPair]),
  fc.constantFrom<QueryPair[]>(
    [['__proto__[fuzzPolluted]', 'yes', true]],
    [['constructor[prototype][fuzzPolluted]', 'yes', true]],
    [['a[__proto__][fuzzPolluted]', 'yes', true]],
    [['limit[]', '1', true], ['limit[]', '2', true]],
    [['q[a][b][c][d][e][f]', '1', true]],
    [['sort', 'name', true], ['sort', 'code', true], ['sort', '', true]],
    [['%E0%A4%A', '1', true]],
    [['q', '%E0%A4%A', true]],
    [['q', '%', true]],
    [['q', 'a'.repeat(9000), true]],
    [['', '', true]],
    [['&&&', '===', true]],
  ).map((extra) => (pairs: QueryPair[]) => [...pairs, ...extra]),
);

function queryArbitrary(route: Route, overrides: Overrides): fc.Arbitrary<{ query: string; note: string }> {
  const valid = fc
    .tuple(...route.queryParams.map((param) => fc.option(overrides[param.name] ?? arbitraryOf(param.schema), { nil: undefined, freq: 2 })))
    .map((values) => values.flatMap((value, index): QueryPair[] => (value === undefined ? [] : queryText(value).map((text) => [route.queryParams[index]!.name, text, false]))));
  const encode = (pairs: QueryPair[]) => (pairs.length === 0 ? '' : `?${pairs.map(([key, value, raw]) => (raw ? `${key}=${value}` : `${encodeAny(key)}=${encodeAny(value)}`)).join('&')}`);
  return fc.oneof(
    { weight: route.queryParams.length ? 3 : 6, arbitrary: valid.map((pairs) => ({ query: encode(pairs), note: pairs.length ? 'query' : '' })) },
    {
      weight: 3,
      arbitrary: fc.tuple(valid, fc.array(queryMutation, { minLength: 1, maxLength: 2 })).map(([pairs, changes]) => ({ query: encode(changes.reduce((acc, change) => change(acc), pairs)), note: 'mutated query' })),
    },
  );
}

/** JSON nested far deeper than JSON.stringify can write (it recurses), under one of the route's own fields. */
function deepJson(route: Route): fc.Arbitrary<Body> {
  const keys = Object.keys(route.body?.properties ?? { x: {} });
  return fc.tuple(fc.constantFrom(...keys), fc.constantFrom(20_000, 200_000), fc.constantFrom('[', '{"a":')).map(([key, levels, open]) => ({
    kind: 'text',
    text: `{${JSON.stringify(key)}:${open.repeat(levels)}1${(open === '[' ? ']' : '}').repeat(levels)}}`,
    contentType: 'application/json',
    note: `nested ${levels} deep`,
  }));
}

/** JSON texts that are not quite JSON. */
function malformed(text: string): fc.Arbitrary<Body> {
  return fc.oneof(
    fc.nat({ max: Math.max(text.length - 1, 0) }).map((cut) => ({ kind: 'text' as const, text: text.slice(0, cut), contentType: 'application/json', note: 'truncated JSON' })),
    fc.constantFrom(
      `${text}}`, `${text},`, `\ufeff${text}`, `[${text}`, text.replace(/:/, '::'), text.replace(/"/, "'"), '{"a":NaN}', '{"a":Infinity}', '{"a":1,}', '{,}', 'undefined', '\u0000', '{"a":"\\ud800"}',
      `{"__proto__":{"fuzzPolluted":"yes"},${text.slice(1)}`, text.length > 2 ? `${text.slice(0, -1)},${text.slice(1)}` : '{"a":1,"a":2}',
    ).map((broken) => ({ kind: 'text' as const, text: broken, contentType: 'application/json', note: 'malformed JSON' })),
  );
}

/** A body whose content type does not say what it is. */
function mislabelled(value: unknown): fc.Arbitrary<Body> {
  const text = toJson(value);
  const form = value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.entries(value).map(([key, child]) => `${encodeAny(key)}=${encodeAny(typeof child === 'string' ? child : toJson(child))}`).join('&')
    : 'a=1';
  return fc.oneof(
    fc.constantFrom<string | null>('text/plain', 'application/xml', 'application/octet-stream', 'application/json; charset=utf-16', 'application/json, text/plain', 'APPLICATION/JSON', 'application/jsonx', 'image/png', null).map((contentType) => ({ kind: 'text' as const, text, contentType, note: `sent as ${contentType ?? 'no content type'}` })),
    fc.constant<Body>({ kind: 'text', text: form, contentType: 'application/x-www-form-urlencoded', note: 'form-encoded' }),
    fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary=zzz').map((contentType) => ({ kind: 'text' as const, text, contentType, note: `JSON sent as ${contentType}` })),
    fc.constant<Body>({ kind: 'text', text: Buffer.from(text, 'utf16le'), contentType: 'application/json', note: 'UTF-16 JSON' }),
    fc.constant<Body>({ kind: 'text', text: '', contentType: 'application/json', note: 'empty body' }),
  );
}

function bodyArbitrary(route: Route, overrides: Overrides): fc.Arbitrary<Body> {
  if (!route.body) {
    // A route without a body still gets one now and then: it must be ignored or refused, not trip anything.
    return fc.oneof({ weight: 8, arbitrary: fc.constant<Body>({ kind: 'none' }) }, { weight: 1, arbitrary: hostileValue.map((value): Body => ({ kind: 'json', value, note: 'unexpected body' })) }, { weight: 1, arbitrary: malformed('{"a":1}') });
  }
  const valid = arbitraryOf(route.body, overrides);
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((value): Body => ({ kind: 'json', value, note: 'valid-looking' })) },
    { weight: 8, arbitrary: mutatedOf(valid).map(({ value, mutations }): Body => ({ kind: 'json', value, note: `mutated (${mutations.join(', ')})` })) },
    { weight: 1, arbitrary: deepJson(route) },
    { weight: 2, arbitrary: valid.chain((value) => malformed(toJson(value))) },
    { weight: 2, arbitrary: valid.chain((value) => mislabelled(value)) },
  );
}

/** Requests to a route: path, query and body, each valid-looking or hostile. */
export function routeCases(route: Route, overrides: Overrides, pools: Pools, extraBody?: fc.Arbitrary<Body>): fc.Arbitrary<RouteCase> {
  const params = fc.tuple(...route.pathParams.map((param) => pathValue(param.name, param.schema, pools)));
  const body = extraBody ? fc.oneof({ weight: 2, arbitrary: bodyArbitrary(route, overrides) }, { weight: 3, arbitrary: extraBody }) : bodyArbitrary(route, overrides);
  return fc.record({ params, query: queryArbitrary(route, overrides), body, chunked: fc.boolean() }).map(({ params, query, body, chunked }) => {
    const values = Object.fromEntries(route.pathParams.map((param, index) => [param.name, params[index]!.value]));
    const headers: [string, string][] = [];
    if (body.kind === 'json') headers.push(['Content-Type', 'application/json']);
    if (body.kind === 'text' && body.contentType !== null) headers.push(['Content-Type', body.contentType]);
    const notes = [...params.map((param) => param.note), query.note, body.kind === 'none' ? '' : body.note].filter(Boolean);
    return {
      path: `/api/v1${fillPath(route.path, values)}`,
      query: query.query,
      body,
      headers,
      chunked: body.kind !== 'none' && chunked,
      input: body.kind === 'json' ? body.value : undefined,
      note: notes.join('; '),
    };
  });
}

export function toRawRequest(route: Route, routeCase: RouteCase, extraHeaders: readonly (readonly [string, string])[]): RawRequest {
  const body = routeCase.body.kind === 'none' ? undefined : routeCase.body.kind === 'json' ? toJson(routeCase.body.value) : routeCase.body.text;
  return { method: route.method, path: `${routeCase.path}${routeCase.query}`, headers: [...extraHeaders, ...routeCase.headers], ...(body === undefined ? {} : { body }), chunked: routeCase.chunked };
}

/** A request, shortened for a failure message. */
export function describeCase(route: Route, routeCase: RouteCase): string {
  const body = routeCase.body.kind === 'none' ? '' : routeCase.body.kind === 'json' ? toJson(routeCase.body.value) : String(routeCase.body.text);
  const short = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text);
  return `${route.method} ${short(routeCase.path + routeCase.query, 200)} [${routeCase.note}]${body ? ` body ${short(body, 300)}` : ''}`;
}
