import Papa from 'papaparse';
import { SiteFields, type CsvRowError, type SiteCsvImportResult } from '../../../../shared/domain/site.js';
import { toFieldIssues } from '../../../../shared/domain/validation.js';
import type { RegionService } from '../regions/region-service.js';
import type { NewSite, SiteService } from './site-service.js';

const PREVIEW_ROWS = 200;
const MAX_REPORTED_ERRORS = 1000;

type Column = 'name' | 'code' | 'latitude' | 'longitude' | 'region' | 'address' | 'contact';

/** Header spellings accepted for each column, English and Chinese, compared case-insensitively. */
const HEADER_ALIASES: Record<Column, readonly string[]> = {
  name: ['name', 'site name', '名称', '站点名称'],
  code: ['code', 'site code', '编码', '站点编码'],
  latitude: ['latitude', 'lat', '纬度'],
  longitude: ['longitude', 'lng', 'lon', '经度'],
  region: ['region', 'region path', '区域', '所属区域'],
  address: ['address', '地址'],
  contact: ['contact', '联系人'],
};
const REQUIRED: readonly Column[] = ['name', 'code', 'latitude', 'longitude'];

function mapHeader(header: readonly string[]): { columns: Map<Column, number>; unknown: string[] } {
  const columns = new Map<Column, number>();
  const unknown: string[] = [];
  header.forEach((raw, index) => {
    const cell = raw.replace(/^\uFEFF/, '').trim().toLowerCase();
    const column = (Object.keys(HEADER_ALIASES) as Column[]).find((key) => HEADER_ALIASES[key].includes(cell));
    if (column && !columns.has(column)) columns.set(column, index);
    else if (cell !== '') unknown.push(raw.trim());
  });
  return { columns, unknown };
}

function parseCoordinate(text: string | undefined): number | undefined {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : Number.NaN;
}

/**
 * Validates every row of a sites CSV; in "commit" mode creates the valid rows
 * in one transaction. Invalid rows are reported by line and field, never half-written.
 */
export function importSitesCsv(
  csv: string,
  mode: 'preview' | 'commit',
  sites: SiteService,
  regions: RegionService,
): SiteCsvImportResult {
  const parsed = Papa.parse<string[]>(csv, { skipEmptyLines: 'greedy' });
  const errors: CsvRowError[] = [];
  const report = (error: CsvRowError) => errors.push(error);
  const result = (valid: NewSite[], preview: SiteCsvImportResult['preview'], created: number): SiteCsvImportResult => ({
    mode,
    totalRows: Math.max(parsed.data.length - 1, 0),
    validRows: valid.length,
    created,
    preview,
    errors: errors.slice(0, MAX_REPORTED_ERRORS),
    errorsTruncated: errors.length > MAX_REPORTED_ERRORS,
  });

  const [header, ...rows] = parsed.data;
  if (!header) {
    report({ line: 1, field: null, code: 'empty', message: 'The file has no header row' });
    return result([], [], 0);
  }
  const { columns, unknown } = mapHeader(header);
  const missing = REQUIRED.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    report({
      line: 1,
      field: null,
      code: 'missing_columns',
      message: `Missing column(s): ${missing.join(', ')}. Expected a header like: name,code,latitude,longitude,region,address,contact`,
    });
    return result([], [], 0);
  }
  if (unknown.length > 0) {
    report({ line: 1, field: null, code: 'unknown_columns', message: `Ignored unknown column(s): ${unknown.join(', ')}` });
  }
  for (const parseError of parsed.errors) {
    if (parseError.row !== undefined) {
      report({ line: parseError.row + 1, field: null, code: 'csv_syntax', message: parseError.message });
    }
  }
  const syntaxErrorLines = new Set(errors.filter((error) => error.code === 'csv_syntax').map((error) => error.line));

  const regionIds = columns.has('region') ? regions.idsByPath() : new Map<string, number>();
  const takenCodes = sites.existingCodes();
  const codesInFile = new Map<string, number>();
  const valid: NewSite[] = [];
  const preview: SiteCsvImportResult['preview'] = [];
  const cell = (row: readonly string[], column: Column) => {
    const index = columns.get(column);
    return index === undefined ? undefined : row[index];
  };

  rows.forEach((row, index) => {
    const line = index + 2;
    if (syntaxErrorLines.has(line)) return;
    const regionPath = (cell(row, 'region') ?? '').trim().replace(/\s*\/\s*/g, '/');
    const candidate = {
      name: cell(row, 'name') ?? '',
      code: cell(row, 'code') ?? '',
      latitude: parseCoordinate(cell(row, 'latitude')),
      longitude: parseCoordinate(cell(row, 'longitude')),
      regionId: regionPath === '' ? null : (regionIds.get(regionPath) ?? null),
      address: cell(row, 'address') ?? '',
      contact: cell(row, 'contact') ?? '',
    };
    const checked = SiteFields.safeParse(candidate);
    let rowOk = true;
    if (!checked.success) {
      for (const issue of toFieldIssues(checked.error.issues)) report({ line, ...issue });
      rowOk = false;
    }
    if (regionPath !== '' && !regionIds.has(regionPath)) {
      report({ line, field: 'region', code: 'not_found', message: `No region "${regionPath}"` });
      rowOk = false;
    }
    if (!checked.success || !rowOk) return;
    const codeKey = checked.data.code.toLowerCase();
    const firstLine = codesInFile.get(codeKey);
    if (firstLine !== undefined) {
      report({ line, field: 'code', code: 'duplicate', message: `Code "${checked.data.code}" already appears on line ${firstLine}` });
      return;
    }
    codesInFile.set(codeKey, line);
    if (takenCodes.has(codeKey)) {
      report({ line, field: 'code', code: 'exists', message: `A site with code "${checked.data.code}" already exists` });
      return;
    }
    valid.push(checked.data);
    if (preview.length < PREVIEW_ROWS) preview.push({ ...checked.data, line, region: regionPath || null });
  });

  const created = mode === 'commit' ? sites.insertMany(valid) : 0;
  return result(valid, preview, created);
}
