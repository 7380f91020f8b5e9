import fc from 'fast-check';

/** A header field of a binary format: where it is, how wide, which byte order. */
export interface Field {
  offset: number;
  width: 1 | 2 | 4 | 8;
  littleEndian: boolean;
}

/** PMTiles v3: eleven u64 offsets and counts, then one-byte flags, then i32 bounds and centre (little-endian). */
export const PMTILES_FIELDS: readonly Field[] = [
  ...[8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88].map((offset): Field => ({ offset, width: 8, littleEndian: true })),
  ...[7, 96, 97, 98, 99, 100, 101, 118].map((offset): Field => ({ offset, width: 1, littleEndian: true })),
  ...[102, 106, 110, 114, 119, 123].map((offset): Field => ({ offset, width: 4, littleEndian: true })),
];

/** SQLite's database header (big-endian): page size, format bytes, counters, page count, schema cookie and format, encoding. */
export const SQLITE_FIELDS: readonly Field[] = [
  { offset: 16, width: 2, littleEndian: false },
  ...[18, 19, 20, 21, 22, 23].map((offset): Field => ({ offset, width: 1, littleEndian: false })),
  ...[24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 92, 96].map((offset): Field => ({ offset, width: 4, littleEndian: false })),
];

export type ByteMutation =
  | { kind: 'flip'; positions: number[] }
  | { kind: 'truncate'; fraction: number }
  | { kind: 'fill'; fraction: number; length: number; byte: number }
  | { kind: 'field'; field: Field; value: 'zero' | 'max' | 'size' | 'size+1' | 'huge' | 'random'; random: number }
  | { kind: 'append'; bytes: number[] };

export function byteMutation(fields: readonly Field[]): fc.Arbitrary<ByteMutation> {
  const options: fc.Arbitrary<ByteMutation>[] = [
    fc.record({ kind: fc.constant('flip' as const), positions: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('truncate' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ kind: fc.constant('fill' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 512 }), byte: fc.constantFrom(0x00, 0xff, 0x7f, 0x80) }),
    fc.record({ kind: fc.constant('append' as const), bytes: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }) }),
  ];
  if (fields.length > 0) {
    options.push(fc.record({ kind: fc.constant('field' as const), field: fc.constantFrom(...fields), value: fc.constantFrom('zero', 'max', 'size', 'size+1', 'huge', 'random'), random: fc.nat() }));
  }
  return fc.oneof(...options);
}

/** A flip lands in the first 4 KiB (headers, roots, schema) three times in four: that is where parsers decide. */
function position(raw: number, size: number): number {
  return raw % 4 === 0 ? raw % size : raw % Math.min(size, 4096);
}

function writeField(data: Buffer, field: Field, value: bigint): void {
  const max = (1n << BigInt(field.width * 8)) - 1n;
  const clamped = value & max;
  for (let index = 0; index < field.width; index += 1) {
    const byte = Number((clamped >> BigInt(8 * index)) & 0xffn);
    data[field.offset + (field.littleEndian ? index : field.width - 1 - index)] = byte;
  }
}

export function applyBytes(original: Buffer, mutation: ByteMutation): Buffer {
  if (original.length === 0) return original;
  switch (mutation.kind) {
    case 'flip': {
      const data = Buffer.from(original);
      for (const raw of mutation.positions) {
        const at = position(raw, data.length);
        data[at] = data[at]! ^ (1 << (raw % 8));
      }
      return data;
    }
    case 'truncate':
      return original.subarray(0, Math.floor(original.length * mutation.fraction));
    case 'fill': {
      const data = Buffer.from(original);
      const at = Math.floor(data.length * mutation.fraction);
      data.fill(mutation.byte, at, Math.min(data.length, at + mutation.length));
      return data;
    }
    case 'append':
      return Buffer.concat([original, Buffer.from(mutation.bytes)]);
    case 'field': {
      if (mutation.field.offset + mutation.field.width > original.length) return original;
      const data = Buffer.from(original);
      const size = BigInt(original.length);
      const values = { zero: 0n, max: (1n << 64n) - 1n, size, 'size+1': size + 1n, huge: 1n << 53n, random: BigInt(mutation.random) };
      writeField(data, mutation.field, values[mutation.value]);
      return data;
    }
  }
}

/** A valid file with one to three things wrong with it, and what they were. */
export function mutatedFile(original: Buffer, fields: readonly Field[]): fc.Arbitrary<{ data: Buffer; note: string }> {
  return fc.array(byteMutation(fields), { minLength: 1, maxLength: 3 }).map((mutations) => ({
    data: mutations.reduce((data, mutation) => applyBytes(data, mutation), original),
    note: mutations.map((mutation) => (mutation.kind === 'field' ? `field@${mutation.field.offset}=${mutation.value}` : mutation.kind)).join('+'),
  }));
}
