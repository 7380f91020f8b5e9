import type { TFunction } from 'i18next';
import type { RolloutMessage, RolloutSite } from '../../../shared/domain/rollouts.js';
import { catalogText } from '../../components/catalog-text.js';
import { formatDateTime } from '../../components/format.js';

/** A message's values as the UI shows them: a container state the catalog knows in its language, a time in local form; the rest (versions, the engine's words) as they are. */
function shownParams(t: TFunction, language: string, params: RolloutMessage['params']): RolloutMessage['params'] {
  const shown = { ...params };
  if (typeof shown.status === 'string') shown.status = catalogText(t, `rollouts.containerStates.${shown.status}`, {}, shown.status);
  if (typeof shown.since === 'string') shown.since = formatDateTime(shown.since, language);
  return shown;
}

/**
 * Parts said one after another: a part ending in a colon leads into the
 * next, a part in brackets qualifies the one before, others are separated
 * (by "; " or "；").
 */
export function joinParts(parts: readonly string[], separator: string): string {
  let joined = parts[0] ?? '';
  for (const part of parts.slice(1)) {
    if (joined.endsWith(':') || part.startsWith('(')) joined += ` ${part}`;
    else if (joined.endsWith('：') || part.startsWith('（')) joined += part;
    else joined += `${separator}${part}`;
  }
  return joined;
}

/**
 * A rollout text in the UI language from its catalog messages; the core's
 * English (`fallback`) when there are none or one of them is not in the
 * catalog (a newer core than this UI).
 */
export function rolloutMessagesText(t: TFunction, language: string, messages: readonly RolloutMessage[], fallback: string): string {
  if (messages.length === 0) return fallback;
  const parts: string[] = [];
  for (const message of messages) {
    const key = `rollouts.messages.${message.key}`;
    const text = t(key, shownParams(t, language, message.params));
    if (text === key) return fallback;
    parts.push(text);
  }
  return joinParts(parts, t('rollouts.detail.separator'));
}

/** A site's detail in the UI language ('' when it has none). */
export function siteDetailText(t: TFunction, language: string, site: Pick<RolloutSite, 'detail' | 'detailMessages'>): string {
  return site.detail === null ? '' : rolloutMessagesText(t, language, site.detailMessages, site.detail);
}

/** Where the rollout installed the app, going back removes it: there was no version before. */
export function removesOnRevert(site: Pick<RolloutSite, 'action' | 'fromVersion'>): boolean {
  return site.action === 'install' || site.fromVersion === null;
}

/** A site's state in the UI language; going back from an install says that it removes the app. */
export function siteStateLabel(t: TFunction, site: Pick<RolloutSite, 'state' | 'action' | 'fromVersion'>): string {
  if (removesOnRevert(site) && site.state === 'reverted') return t('rollouts.siteStates.removed');
  if (removesOnRevert(site) && site.state === 'reverting') return t('rollouts.siteStates.removing');
  return t(`rollouts.siteStates.${site.state}`);
}
