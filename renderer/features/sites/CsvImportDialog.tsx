import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SiteCsvImportResult } from '../../../shared/domain/site.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { issueText } from '../../i18n/index.js';

const PREVIEW_ROWS_SHOWN = 20;

type Step =
  | { kind: 'choose' }
  | { kind: 'checking' }
  | { kind: 'previewed'; csv: string; result: SiteCsvImportResult }
  | { kind: 'committing' }
  | { kind: 'done'; result: SiteCsvImportResult };

function formatSize(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Choose a file → every row checked by the core → preview and per-row errors → import the valid rows. */
export function CsvImportDialog({ onClose, onImported }: { onClose: () => void; onImported: (count: number) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [fileLabel, setFileLabel] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const check = async (file: File) => {
    setFileLabel(t('csv.chosen', { name: file.name, size: formatSize(file.size) }));
    setError(null);
    setStep({ kind: 'checking' });
    try {
      const csv = await file.text();
      const result = await client.sites.importCsv({ csv, mode: 'preview' });
      setStep({ kind: 'previewed', csv, result });
    } catch (cause) {
      setError(toUiError(cause).message);
      setStep({ kind: 'choose' });
    }
  };

  const commit = async (csv: string) => {
    setStep({ kind: 'committing' });
    try {
      const result = await client.sites.importCsv({ csv, mode: 'commit' });
      setStep({ kind: 'done', result });
      onImported(result.created);
    } catch (cause) {
      setError(toUiError(cause).message);
      setStep({ kind: 'choose' });
    }
  };

  const result = step.kind === 'previewed' || step.kind === 'done' ? step.result : null;
  const rowErrors = result?.errors ?? [];

  return (
    <Dialog title={t('csv.title')} onClose={onClose} wide>
      <p className="muted">{t('csv.intro')}</p>
      <div className="file-picker">
        <label className="button">
          {t('csv.choose')}
          <input
            type="file"
            accept=".csv,text/csv"
            data-testid="csv-file"
            className="visually-hidden"
            onChange={(event) => {
              const file = event.target.files?.[0];
              if (file) void check(file);
              event.target.value = '';
            }}
          />
        </label>
        {fileLabel ? <span className="muted">{fileLabel}</span> : null}
      </div>
      {step.kind === 'checking' ? <p role="status">{t('csv.checking')}</p> : null}
      {step.kind === 'committing' ? <p role="status">{t('csv.committing')}</p> : null}
      {error ? (
        <p className="form-error" role="alert">
          {t('common.error', { message: error })}
        </p>
      ) : null}
      {result ? (
        <>
          <p className="csv-summary" role="status" data-testid="csv-summary">
            {step.kind === 'done'
              ? t('csv.done', { count: result.created })
              : t('csv.summary', { total: result.totalRows, valid: result.validRows, invalid: result.totalRows - result.validRows })}
          </p>
          {step.kind === 'previewed' && result.preview.length > 0 ? (
            <section>
              <h3>{t('csv.previewTitle')}</h3>
              <table className="simple-table">
                <thead>
                  <tr>
                    <th>{t('csv.line')}</th>
                    <th>{t('sites.field.code')}</th>
                    <th>{t('sites.field.name')}</th>
                    <th>{t('sites.field.latitude')}</th>
                    <th>{t('sites.field.longitude')}</th>
                    <th>{t('sites.field.region')}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.preview.slice(0, PREVIEW_ROWS_SHOWN).map((row) => (
                    <tr key={row.line}>
                      <td>{row.line}</td>
                      <td>{row.code}</td>
                      <td>{row.name}</td>
                      <td>{row.latitude}</td>
                      <td>{row.longitude}</td>
                      <td>{row.region ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
          {rowErrors.length > 0 ? (
            <section>
              <h3>{t('csv.errorsTitle')}</h3>
              <table className="simple-table errors" data-testid="csv-errors">
                <thead>
                  <tr>
                    <th>{t('csv.line')}</th>
                    <th>{t('csv.field')}</th>
                    <th>{t('csv.problem')}</th>
                  </tr>
                </thead>
                <tbody>
                  {rowErrors.map((rowError, index) => (
                    <tr key={`${rowError.line}-${rowError.field ?? ''}-${index}`}>
                      <td>{rowError.line}</td>
                      <td>{rowError.field ? t(`sites.field.${rowError.field}`, { defaultValue: rowError.field }) : ''}</td>
                      <td>{issueText(t, { field: rowError.field ?? '', code: rowError.code, message: rowError.message })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {result.errorsTruncated ? <p className="muted">{t('csv.errorsTruncated', { count: rowErrors.length })}</p> : null}
            </section>
          ) : null}
        </>
      ) : null}
      <footer className="dialog-actions">
        <button type="button" onClick={onClose}>
          {t('common.close')}
        </button>
        {step.kind === 'previewed' ? (
          step.result.validRows > 0 ? (
            <button type="button" className="primary" onClick={() => void commit(step.csv)}>
              {t('csv.commit', { count: step.result.validRows })}
            </button>
          ) : (
            <span className="muted">{t('csv.nothingValid')}</span>
          )
        ) : null}
      </footer>
    </Dialog>
  );
}
