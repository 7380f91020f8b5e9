import { en } from '../../../../shared/i18n/en.js';

export type WizardMessageKey = keyof typeof en.wizardMessages;
export type MessageParams = Record<string, string | number>;

/** A wizard outcome: English text for logs and reports, and the catalog key with its values so the UI shows it in the user's language. */
export interface WizardMessage {
  text: string;
  key: WizardMessageKey;
  params: MessageParams;
}

/** One place for the English wording: the UI's own catalog, filled in the same way i18next does. */
export function say(key: WizardMessageKey, params: MessageParams = {}): WizardMessage {
  const text = en.wizardMessages[key].replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(params[name] ?? '')).replace(/\s+·/g, ' ·').replace(/ {2,}/g, ' ');
  return { text, key, params };
}
