import fc from 'fast-check';

/** The part of JSON Schema (as oRPC's zod converter writes it into the OpenAPI document) the fuzz reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  default?: unknown;
  format?: string;
  contentMediaType?: string;
}

/**
 * Replaces the generator of a property by name (wherever it appears). The
 * REST fuzz uses it to keep hosts, URLs, address ranges and timeouts on
 * loopback and short, and to draw ids from the objects that exist.
 */
export type Overrides = Readonly<Record<string, fc.Arbitrary<unknown>>>;

/** Generated strings stay short unless a mutation makes them huge: long valid strings test nothing the bounds do not. */
const MAX_STRING = 40;
const MAX_ARRAY = 4;

function numberBounds(schema: JsonSchema, integer: boolean): { min: number; max: number } {
  let min = schema.minimum ?? -1e6;
  let max = schema.maximum ?? 1e6;
  if (schema.exclusiveMinimum !== undefined) min = Math.max(min, integer ? schema.exclusiveMinimum + 1 : schema.exclusiveMinimum + 1e-6);
  if (schema.exclusiveMaximum !== undefined) max = Math.min(max, integer ? schema.exclusiveMaximum - 1 : schema.exclusiveMaximum - 1e-6);
  // The converter writes ±2^53-1 for "any safe integer": keep to values a handler would plausibly see, plus the edges.
  return { min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) };
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? MAX_STRING, MAX_STRING));
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString());
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    return fc.stringMatching(pattern).filter((text) => text.length >= minLength && text.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY));
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
  );
}

/** A value the schema accepts (most of the time: patterns with lookarounds or cross-field rules are not modelled). */
export function arbitraryOf(schema: JsonSchema | undefined, overrides: Overrides = {}, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 8) return fc.jsonValue({ maxDepth: 2 });
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return fc.oneof(...options.map((option) => arbitraryOf(option, overrides, depth + 1)));
  if (schema.allOf?.length) return arbitraryOf(Object.assign({}, ...schema.allOf) as JsonSchema, overrides, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const { min, max } = numberBounds(schema, true);
      const lo = Math.ceil(min);
      const hi = Math.floor(max);
      return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(lo, hi) }, { weight: 4, arbitrary: fc.integer({ min: Math.max(lo, -1e6), max: Math.max(Math.max(lo, -1e6), Math.min(hi, 1e6)) }) });
    }
    case 'number': {
      const { min, max } = numberBounds(schema, false);
      return fc.oneof({ weight: 1, arbitrary: fc.constantFrom(min, max) }, { weight: 4, arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }) });
    }
    case 'string':
      return stringArbitrary(schema);
    case 'array': {
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? MAX_ARRAY, MAX_ARRAY));
      return fc.array(arbitraryOf(schema.items, overrides, depth + 1), { minLength, maxLength });
    }
    case 'object': {
      if (schema.properties) {
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [key, child] of Object.entries(schema.properties)) model[key] = overrides[key] ?? arbitraryOf(child, overrides, depth + 1);
        // Defaulted properties may be left out like optional ones; required ones are always there.
        return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in model) });
      }
      if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
        return fc.dictionary(schema.propertyNames ? stringArbitrary(schema.propertyNames) : fc.string({ maxLength: 12 }), arbitraryOf(schema.additionalProperties, overrides, depth + 1), { maxKeys: 3 });
      }
      return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });
    }
    default:
      if (schema.contentMediaType) return fc.string({ maxLength: 64 });
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Strings a parser or a database might treat specially. */
export const HOSTILE_STRINGS: readonly string[] = [
  'NaN', 'Infinity', '-Infinity', '1e309', '-0', '0x1F', '0b11', ' 12 ', '１２３', '1_000', '12abc', '',
  ' ', '\u0000', 'null', 'undefined', 'true', '[]', '{}', '__proto__', 'constructor', 'prototype', 'toString',
  '../../../../etc/passwd', '..\\..\\windows\\win.ini', '%2e%2e%2f', "'; DROP TABLE sites; --", '" OR 1=1 --',
  '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '=cmd|\' /C calc\'!A0', '@SUM(1+1)', '\ud800', '\udfff\ud800',
  '\u202e\u0645\u0631\u062d\u0628\u0627', '\u200b\u200d\ufeff', '👩‍👩‍👧‍👦🏳️‍🌈', '站点名称', 'Ω≈ç√∫˜µ≤≥÷', 'a\r\nX-Injected: 1',
  '2024-02-30T25:61:61Z', '9999-12-31T23:59:59.999Z', '-000001-01-01T00:00:00Z', '00000000-0000-0000-0000-000000000000',
];

const HOSTILE_NUMBERS: readonly number[] = [0, -0, -1, 1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, -(2 ** 53) - 2, 1e308, -1e308, 5e-324, 0.1 + 0.2];

/** A value nested `levels` deep: arrays or objects. */
export function deeplyNested(levels: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < levels; level += 1) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** Values of the wrong kind, or the right kind at absurd sizes. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(true, false, null, [], {}, [null], { '': '' }) },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 30, unit: 'binary' }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      { weight: 30, arbitrary: fc.integer({ min: 200, max: 70_000 }).map((length) => 'x'.repeat(length)) },
      // A megabyte and more only rarely: it costs time more than it finds.
      { weight: 1, arbitrary: fc.constant('界'.repeat(1_100_000)) },
    ),
  },
  // As values only moderately deep (JSON.stringify recurses); the REST fuzz sends far deeper ones as raw text.
  { weight: 1, arbitrary: fc.constantFrom(64, 1_000).chain((levels) => fc.constantFrom<'array' | 'object'>('array', 'object').map((kind) => deeplyNested(levels, kind))) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom<unknown>(1, 'a', null), { minLength: 2_000, maxLength: 20_000 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Keys that pollute prototypes in naive merges, and values that check for it. */
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
export const pollutionPayload: fc.Arbitrary<[string, unknown]> = fc.constantFrom<[string, unknown]>(
  ['__proto__', { fuzzPolluted: 'yes' }],
  ['constructor', { prototype: { fuzzPolluted: 'yes' } }],
  ['prototype', { fuzzPolluted: 'yes' }],
  ['__proto__', 'yes'],
);

type Mutation =
  | { kind: 'replace'; path: number; value: unknown }
  | { kind: 'remove'; path: number }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'pollute'; entry: [string, unknown]; path: number }
  | { kind: 'whole'; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('replace' as const), path: fc.nat(), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), path: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('extra' as const), key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...HOSTILE_STRINGS)), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pollute' as const), entry: pollutionPayload, path: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('whole' as const), value: hostileValue }) },
);

type Container = Record<string, unknown> | unknown[];
const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

/** Every (container, key) slot in a value, outermost first. */
function slots(value: unknown, depth = 0, out: { parent: Container; key: string | number }[] = []): { parent: Container; key: string | number }[] {
  if (!isContainer(value) || depth > 6) return out;
  for (const key of Array.isArray(value) ? value.map((_, index) => index) : Object.keys(value)) {
    out.push({ parent: value, key });
    slots((value as Record<string | number, unknown>)[key], depth + 1, out);
  }
  return out;
}

function containers(value: unknown, depth = 0, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (!isContainer(value) || depth > 6) return out;
  if (!Array.isArray(value)) out.push(value);
  for (const child of Object.values(value)) containers(child, depth + 1, out);
  return out;
}

/** Defines a property even when its name is "__proto__", as JSON.parse does (an own property, not the prototype). */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

/** A copy of the levels a mutation may touch; deeper parts are shared (structuredClone recurses and would overflow on deep values). */
function clone(value: unknown, depth = 0): unknown {
  if (!isContainer(value) || depth > 8) return value;
  if (Array.isArray(value)) return value.map((child) => clone(child, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) defineOwn(copy, key, clone(child, depth + 1));
  return copy;
}

function applyMutation(original: unknown, change: Mutation): unknown {
  if (change.kind === 'whole') return change.value;
  const value = clone(original);
  const all = slots(value);
  if (change.kind === 'replace' || change.kind === 'remove') {
    const slot = all[change.path % Math.max(all.length, 1)];
    if (!slot) return change.kind === 'replace' ? change.value : value;
    if (change.kind === 'replace') (slot.parent as Record<string | number, unknown>)[slot.key] = change.value;
    else if (Array.isArray(slot.parent)) slot.parent.splice(Number(slot.key), 1);
    else delete slot.parent[slot.key as string];
    return value;
  }
  const objects = containers(value);
  const target = change.kind === 'extra' ? objects[0] : objects[change.path % Math.max(objects.length, 1)];
  if (!target) return value;
  if (change.kind === 'extra') defineOwn(target, change.key, change.value);
  else defineOwn(target, change.entry[0], change.entry[1]);
  return value;
}

/** A valid-looking value with one to three things wrong with it. */
export function mutatedOf(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ value: unknown; mutations: string[] }> {
  return fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([value, changes]) => {
    let result = value;
    for (const change of changes) result = applyMutation(result, change);
    return { value: result, mutations: changes.map((change) => change.kind) };
  });
}

/** A value as a JSON text; keys named __proto__ survive because they are own properties (JSON.stringify keeps them). */
export function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}
