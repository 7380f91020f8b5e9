import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PushResult } from '../../../shared/domain/apps.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { decimalSize } from '../../../shared/domain/engine.js';
import { uploadRelease, UploadInterrupted, type UploadProgress } from './upload.js';
import { UploadProgressLine } from '../../components/UploadProgressLine.js';

/** Choose a bundle, see it go up with a progress bar, then the repository's verdict. */
export function UploadRelease({ onUploaded }: { onUploaded: (result: PushResult) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  // Kept as data, worded when drawn: a language switch rewords them.
  const [result, setResult] = useState<PushResult | null>(null);
  const [error, setError] = useState<{ kind: 'no-file' } | { kind: 'interrupted' } | { kind: 'refused'; reason: string } | null>(null);

  const send = async () => {
    const file = input.current?.files?.[0];
    setResult(null);
    setError(null);
    if (!file) return setError({ kind: 'no-file' });
    try {
      const pushed = await uploadRelease(client, file, setProgress);
      setResult(pushed);
      if (input.current) input.current.value = '';
      onUploaded(pushed);
    } catch (cause) {
      setError(cause instanceof UploadInterrupted ? { kind: 'interrupted' } : { kind: 'refused', reason: toUiError(cause).message });
    } finally {
      setProgress(null);
    }
  };

  const names = result ? { app: result.release.appId, version: result.release.version } : null;
  const resultText =
    result && names
      ? result.storedBlobs + result.sharedBlobs === 0
        ? t('apps.upload.again', names)
        : t('apps.upload.done', { ...names, stored: result.storedBlobs, size: decimalSize(result.storedBytes), shared: result.sharedBlobs })
      : null;
  const errorText = !error ? null : error.kind === 'no-file' ? t('apps.upload.noFile') : t('apps.upload.refused', { reason: error.kind === 'interrupted' ? t('apps.upload.interrupted') : error.reason });
  return (
    <div className="card apps-upload" data-testid="apps-upload">
      <h2>{t('apps.upload.title')}</h2>
      <p className="muted">{t('apps.upload.hint')}</p>
      <div className="apps-upload-row">
        <label htmlFor="apps-bundle">{t('apps.upload.choose')}</label>
        <input id="apps-bundle" ref={input} type="file" accept=".ecapp,application/x-tar" disabled={progress !== null} />
        <button type="button" onClick={() => void send()} disabled={progress !== null}>
          {t('apps.upload.send')}
        </button>
      </div>
      <UploadProgressLine progress={progress} texts={{ label: 'apps.upload.title', sending: 'apps.upload.sending', checking: 'apps.upload.checking' }} />
      {resultText ? (
        <p className="notice" role="status" data-testid="apps-upload-result">
          {resultText}
        </p>
      ) : null}
      {errorText ? (
        <p className="error" role="alert" data-testid="apps-upload-error">
          {errorText}
        </p>
      ) : null}
    </div>
  );
}
