import { z } from 'zod';
import { bulk } from './secret.js';

/** Site codes are used in URLs, file names and CSV files, so keep them to a safe alphabet. */
export const SITE_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const SITE_SORT_KEYS = ['name', 'code', 'latitude', 'longitude', 'createdAt', 'updatedAt'] as const;
export type SiteSortKey = (typeof SITE_SORT_KEYS)[number];

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `At most ${max} characters` })
    .transform((value) => (value === '' ? null : value))
    .nullable()
    .optional();

/** The editable fields of a site; coordinates are WGS-84 decimal degrees. */
export const SiteFields = z.object({
  name: z.string().trim().min(1, { error: 'Name is required' }).max(120, { error: 'At most 120 characters' }),
  code: z
    .string()
    .trim()
    .min(1, { error: 'Code is required' })
    .regex(SITE_CODE_PATTERN, { error: 'Letters, digits, "-", "_" or "." only, at most 64, starting with a letter or digit' }),
  latitude: z
    .number({ error: 'Latitude must be a number' })
    .min(-90, { error: 'Latitude must be between -90 and 90' })
    .max(90, { error: 'Latitude must be between -90 and 90' }),
  longitude: z
    .number({ error: 'Longitude must be a number' })
    .min(-180, { error: 'Longitude must be between -180 and 180' })
    .max(180, { error: 'Longitude must be between -180 and 180' }),
  regionId: z.number().int().positive().nullable().optional(),
  address: optionalText(300),
  contact: optionalText(200),
});
export type SiteFields = z.input<typeof SiteFields>;

export const SiteId = z.uuid({ error: 'Not a site id' });

export const Site = z.object({
  id: z.string(),
  name: z.string(),
  code: z.string(),
  latitude: z.number(),
  longitude: z.number(),
  regionId: z.number().int().nullable(),
  address: z.string().nullable(),
  contact: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Site = z.infer<typeof Site>;

export const SiteListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  q: z.string().trim().max(120).optional(),
  regionId: z.coerce.number().int().positive().optional(),
  sort: z.enum(SITE_SORT_KEYS).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type SiteListQuery = z.input<typeof SiteListQuery>;

export const SitePage = z.object({
  items: z.array(Site),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type SitePage = z.infer<typeof SitePage>;

export const SiteUpdate = SiteFields.partial().extend({ id: SiteId });

export const CSV_IMPORT_MAX_BYTES = 32 * 1024 * 1024;

export const SiteCsvImportInput = z.object({
  csv: bulk(z.string().min(1, { error: 'The file is empty' }).max(CSV_IMPORT_MAX_BYTES, { error: 'The file is larger than 32 MiB' })),
  mode: z.enum(['preview', 'commit']).default('preview'),
});

export const CsvRowError = z.object({
  /** 1-based line number in the file, the header being line 1. */
  line: z.number().int(),
  field: z.string().nullable(),
  code: z.string(),
  message: z.string(),
});
export type CsvRowError = z.infer<typeof CsvRowError>;

export const SiteCsvImportResult = z.object({
  mode: z.enum(['preview', 'commit']),
  totalRows: z.number().int(),
  validRows: z.number().int(),
  created: z.number().int(),
  /** The first valid rows, enough for a preview. */
  preview: z.array(SiteFields.extend({ line: z.number().int(), region: z.string().nullable() })),
  errors: z.array(CsvRowError),
  errorsTruncated: z.boolean(),
});
export type SiteCsvImportResult = z.infer<typeof SiteCsvImportResult>;
