import { useTranslation } from 'react-i18next';
import { messageKind } from '../api/errors.js';

/**
 * "Something went wrong: …" in the user's language, announced to screen
 * readers. A role refusal reads "Not allowed: …" with the role it needs, and
 * an object outside the caller's regions "Not found: …", as toUiError worded
 * them. Nothing when there is no error.
 */
export function ErrorNotice({ message }: { message: string | null | undefined }) {
  const { t } = useTranslation();
  if (!message) return null;
  const kind = messageKind(message);
  if (kind === 'refused') {
    return (
      <div className="notice notice-error" role="alert" data-testid="refused">
        {t('auth.refused.notice', { message })}
      </div>
    );
  }
  return (
    <div className="notice notice-error" role="alert">
      {kind === 'not-found' ? message : t('common.error', { message })}
    </div>
  );
}
