import { z } from 'zod';

export const SiteChangedEvent = z.object({
  type: z.literal('site.changed'),
  change: z.enum(['created', 'updated', 'deleted', 'imported']),
  /** The site, or null when many changed at once (an import). */
  siteId: z.string().nullable(),
  count: z.number().int(),
  at: z.string(),
});
export type SiteChangedEvent = z.infer<typeof SiteChangedEvent>;

export const RegionChangedEvent = z.object({
  type: z.literal('region.changed'),
  change: z.enum(['created', 'updated', 'deleted']),
  regionId: z.number().int(),
  at: z.string(),
});
export type RegionChangedEvent = z.infer<typeof RegionChangedEvent>;

export const AppEvent = z.discriminatedUnion('type', [SiteChangedEvent, RegionChangedEvent]);
export type AppEvent = z.infer<typeof AppEvent>;
