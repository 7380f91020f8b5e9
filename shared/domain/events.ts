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

/** Alarms of a site changed; `raised` lists new root alarms (symptoms and muted ones are not announced). */
export const AlarmChangedEvent = z.object({
  type: z.literal('alarm.changed'),
  siteId: z.string().nullable(),
  raised: z.array(
    z.object({
      id: z.number().int(),
      severity: z.enum(['critical', 'major', 'minor', 'warning']),
      message: z.string(),
      messageKey: z.string(),
      params: z.record(z.string(), z.union([z.string(), z.number()])),
      siteName: z.string(),
    }),
  ),
  cleared: z.array(z.number().int()),
  at: z.string(),
});
export type AlarmChangedEvent = z.infer<typeof AlarmChangedEvent>;

/** A first-boot wizard run moved on (an item changed state, a step finished). */
export const WizardChangedEvent = z.object({ type: z.literal('wizard.changed'), runId: z.string(), step: z.number().int(), at: z.string() });
export type WizardChangedEvent = z.infer<typeof WizardChangedEvent>;

export const AppEvent = z.discriminatedUnion('type', [SiteChangedEvent, RegionChangedEvent, AlarmChangedEvent, WizardChangedEvent]);
export type AppEvent = z.infer<typeof AppEvent>;
