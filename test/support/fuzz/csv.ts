import fc from 'fast-check';

/** Header names the import knows (English and Chinese), and some it does not. */
const HEADERS = ['name', 'code', 'latitude', 'longitude', 'region', 'address', 'contact', 'Name', ' CODE ', 'lat', 'lng', 'lon', 'site name', 'region path'];
const CHINESE_HEADERS = ['名称', '站点名称', '编码', '站点编码', '纬度', '经度', '区域', '所属区域', '地址', '联系人'];
const UNKNOWN_HEADERS = ['colour', '', '备注', '=HYPERLINK("http://x.invalid")', 'name ', '\ufeffname', 'code\u0000'];

const FORMULAS = ['=cmd|\' /C calc\'!A0', '=1+1', '+1+1', '-2+3', '@SUM(A1:A9)', '=HYPERLINK("http://x.invalid","x")', '\t=1', '\r=1'];

const cell: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/) },
  { weight: 3, arbitrary: fc.double({ min: -200, max: 200, noNaN: true }).map((value) => String(value)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 12, unit: 'grapheme' }) },
  { weight: 1, arbitrary: fc.constantFrom(...FORMULAS) },
  { weight: 1, arbitrary: fc.constantFrom('NaN', 'Infinity', '-0', '1e400', '0x10', ' 12.5 ', '１２', '', ' ', '北京', '上海市浦东新区', '"', '""', 'a"b', 'a,b', 'a\nb', 'a\r\nb') },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 120_000 }).map((length) => 'x'.repeat(length)) },
);

/** How a cell is written: bare, quoted (quotes doubled), or quoted badly. */
function writeCell(value: string, style: number): string {
  switch (style % 5) {
    case 0:
    case 1:
      return value;
    case 2:
      return `"${value.replace(/"/g, '""')}"`;
    case 3:
      return `"${value}`;
    default:
      return ` "${value}" `;
  }
}

const LINE_ENDINGS = ['\n', '\r\n', '\r', '\n\r'] as const;

export interface FuzzCsv {
  csv: string;
  note: string;
}

/** A sites CSV: a header from the known, Chinese and unknown names, rows of valid and hostile cells, any line endings, a BOM or not. */
export const csvArbitrary: fc.Arbitrary<FuzzCsv> = fc
  .record({
    header: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HEADERS) }, { weight: 2, arbitrary: fc.constantFrom(...CHINESE_HEADERS) }, { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_HEADERS) }), { minLength: 0, maxLength: 9 }),
    standard: fc.boolean(),
    rows: fc.array(fc.array(fc.tuple(cell, fc.nat()), { minLength: 0, maxLength: 9 }), { minLength: 0, maxLength: 12 }),
    endings: fc.array(fc.constantFrom(...LINE_ENDINGS), { minLength: 1, maxLength: 3 }),
    delimiter: fc.constantFrom(',', ',', ',', ';', '\t', '|'),
    bom: fc.boolean(),
    trailer: fc.constantFrom('', '\n', '\n\n\n', ',,,\n', '"'),
  })
  .map(({ header, standard, rows, endings, delimiter, bom, trailer }) => {
    // Half the files start from a header the import accepts, so rows get checked rather than the file refused outright.
    const columns = standard ? ['name', 'code', 'latitude', 'longitude', ...header.slice(0, 3)] : header;
    const lines = [columns.join(delimiter), ...rows.map((row) => row.map(([value, style]) => writeCell(value, style)).join(delimiter))];
    const text = lines.map((line, index) => line + endings[index % endings.length]!).join('');
    return {
      csv: `${bom ? '\ufeff' : ''}${text}${trailer}`,
      note: `${columns.length} columns (${standard ? 'standard' : 'random'}), ${rows.length} rows, ${JSON.stringify(delimiter)}-separated, ${endings.map((ending) => JSON.stringify(ending)).join('/')}${bom ? ', BOM' : ''}`,
    };
  });

/** A CSV of valid rows with fresh codes, to mix with hostile ones. */
export function validRows(count: number, prefix: string): string {
  return Array.from({ length: count }, (_, index) => `Site ${index},${prefix}-${index},${(index % 80) + 0.5},${(index % 170) + 0.25}`).join('\n');
}
