import { Access, type RegionScope } from '../../../shared/domain/access.js';
import type { AppEvent } from '../../../shared/domain/events.js';
import type { EventBus } from '../services/events/bus.js';
import type { ScopeLookup } from './scope-lookup.js';

/**
 * How often an open stream asks again who its caller is and what they see.
 * A session signed out or ended (password, roles, disabled user), a token
 * revoked, a grant or a region moved: the stream follows within this time.
 * Each check is a few indexed reads.
 */
export const RECHECK_MS = 3_000;

/** What the caller of a stream may see now. */
export interface StreamViewer {
  access: Access;
  scope: RegionScope;
}

/**
 * The event stream as one caller may see it: events about sites, alarms
 * and wizard runs outside the caller's regions are left out; an import
 * (many sites at once, no site named) only says how many changed.
 */
export async function* filterEvents(events: AsyncIterable<AppEvent>, viewer: () => StreamViewer, lookup: ScopeLookup): AsyncGenerator<AppEvent> {
  for await (const event of events) {
    const { access, scope } = viewer();
    const sees = (regionId: number | null | undefined | 'no-site') => {
      if (regionId === 'no-site') return access.canSomewhere('administrator');
      // A site deleted meanwhile: its id tells nothing any more.
      if (regionId === undefined) return scope === 'all';
      return Access.sees(scope, regionId);
    };
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

/**
 * A caller's event stream that keeps checking the caller: every
 * `recheckMs` it asks `viewerNow` again (who the session or token stands
 * for now, with their current grants); when that answers null the stream
 * ends, even if no event comes, and the client has to sign in again.
 * Rights are never those captured when the stream opened.
 */
export async function* followEvents(
  bus: EventBus,
  signal: AbortSignal | undefined,
  viewerNow: () => StreamViewer | null,
  lookup: ScopeLookup,
  recheckMs = RECHECK_MS,
): AsyncGenerator<AppEvent> {
  const first = viewerNow();
  if (!first) return;
  let viewer: StreamViewer = first;
  const ended = new AbortController();
  const end = () => ended.abort();
  signal?.addEventListener('abort', end, { once: true });
  const timer = setInterval(() => {
    try {
      const now = viewerNow();
      if (now) viewer = now;
      else end();
    } catch {
      // The check itself failed (the database is closing): ending is the safe answer.
      end();
    }
  }, recheckMs);
  timer.unref();
  try {
    yield* filterEvents(bus.subscribe(ended.signal), () => viewer, lookup);
  } finally {
    clearInterval(timer);
    signal?.removeEventListener('abort', end);
  }
}
