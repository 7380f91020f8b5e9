import { useTranslation } from 'react-i18next';

/** "Something went wrong: …" in the user's language, announced to screen readers; nothing when there is no error. */
export function ErrorNotice({ message }: { message: string | null | undefined }) {
  const { t } = useTranslation();
  if (!message) return null;
  return (
    <div className="notice notice-error" role="alert">
      {t('common.error', { message })}
    </div>
  );
}
