import { useTranslation } from 'react-i18next';
import type { UploadProgress } from '../api/multipart-upload.js';

/** An upload on its way: a bar while it is sent, then the server's checking. `texts` names the feature's catalog keys. */
export function UploadProgressLine({ progress, texts }: { progress: UploadProgress | null; texts: { label: string; sending: string; checking: string } }) {
  const { t } = useTranslation();
  if (!progress) return null;
  const percent = progress.phase === 'sending' && progress.total > 0 ? Math.floor((progress.sent / progress.total) * 100) : null;
  return (
    <div className="apps-progress" role="status">
      <progress className="wide-progress" max={100} value={percent ?? undefined} aria-label={t(texts.label)} />
      <span>{percent !== null ? t(texts.sending, { percent }) : t(texts.checking)}</span>
    </div>
  );
}
