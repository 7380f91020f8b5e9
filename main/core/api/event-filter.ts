import { Access, type RegionScope } from '../../../shared/domain/access.js';
import type { AppEvent } from '../../../shared/domain/events.js';
import type { ScopeLookup } from './scope-lookup.js';

/** The scope is recomputed at most this often: a grant or a region moved during a long-lived stream takes effect soon. */
const SCOPE_TTL_MS = 5_000;

/**
 * The event stream as one caller may see it: events about sites, alarms
 * and wizard runs outside the caller's regions are left out; an import
 * (many sites at once, no site named) only says how many changed.
 */
export async function* filterEvents(events: AsyncIterable<AppEvent>, access: Access, scopeNow: () => RegionScope, lookup: ScopeLookup): AsyncGenerator<AppEvent> {
  let scope = scopeNow();
  let scopeAt = Date.now();
  const sees = (regionId: number | null | undefined | 'no-site') => {
    if (Date.now() - scopeAt > SCOPE_TTL_MS) {
      scope = scopeNow();
      scopeAt = Date.now();
    }
    if (regionId === 'no-site') return access.canSomewhere('administrator');
    // A site deleted meanwhile: its id tells nothing any more.
    if (regionId === undefined) return scope === 'all';
    return Access.sees(scope, regionId);
  };
  for await (const event of events) {
    switch (event.type) {
      case 'site.changed':
      case 'alarm.changed':
        if (event.siteId === null || sees(lookup.site(event.siteId))) yield event;
        break;
      case 'region.changed':
        if (scope === 'all' || access.roleAt(event.regionId) !== null) yield event;
        break;
      case 'wizard.changed':
        if (access.canSomewhere('administrator') && sees(lookup.wizardRun(event.runId))) yield event;
        break;
      default:
        yield event;
    }
  }
}
