import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CatalogImportResult, FirmwarePackage, FirmwareUploadResult } from '../../../shared/domain/firmware-repository.js';
import { decimalSize } from '../../../shared/domain/engine.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { UploadInterrupted, uploadMultipart, type UploadProgress } from '../../api/multipart-upload.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { UploadProgressLine } from '../../components/UploadProgressLine.js';

type Outcome = { kind: 'uploaded'; result: FirmwareUploadResult } | { kind: 'imported'; result: CatalogImportResult } | { kind: 'refused'; reason: string } | { kind: 'missing'; what: 'image' | 'catalog' } | null;

/** The repository: upload a package (image + description), import a vendor catalog, and every package with its signer and image state. */
export function RepositoryPanel({ packages, canManage, onChanged }: { packages: FirmwarePackage[] | null; canManage: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="firmware-panel" data-testid="firmware-repository">
      {canManage ? (
        <div className="firmware-upload-grid">
          <UploadPackage onUploaded={onChanged} />
          <ImportCatalog onImported={onChanged} />
        </div>
      ) : null}
      <section className="card scroll-x">
        <h2>{t('firmwareRepo.packages.title')}</h2>
        {packages === null ? <p className="muted">{t('common.loading')}</p> : null}
        {packages && packages.length === 0 ? <p className="empty">{t('firmwareRepo.packages.empty')}</p> : null}
        {packages && packages.length > 0 ? <PackagesTable packages={packages} canManage={canManage} onChanged={onChanged} /> : null}
      </section>
    </div>
  );
}

function useOutcomeText(outcome: Outcome): { text: string | null; error: string | null } {
  const { t } = useTranslation();
  if (!outcome) return { text: null, error: null };
  if (outcome.kind === 'missing') return { text: null, error: t(outcome.what === 'image' ? 'firmwareRepo.upload.noImage' : 'firmwareRepo.catalog.noFile') };
  if (outcome.kind === 'refused') return { text: null, error: t('firmwareRepo.upload.refused', { reason: outcome.reason }) };
  if (outcome.kind === 'imported') return { text: t('firmwareRepo.catalog.done', { registered: outcome.result.registered.length, known: outcome.result.alreadyKnown }), error: null };
  const { vendor, component, version } = outcome.result.package.description;
  return { text: t(outcome.result.stored ? 'firmwareRepo.upload.done' : 'firmwareRepo.upload.again', { vendor, component, version }), error: null };
}

const PROGRESS_TEXTS = { label: 'firmwareRepo.upload.title', sending: 'firmwareRepo.upload.sending', checking: 'firmwareRepo.upload.checking' };

function UploadPackage({ onUploaded }: { onUploaded: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const description = useRef<HTMLInputElement>(null);
  const image = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const { text, error } = useOutcomeText(outcome);

  const send = async () => {
    const imageFile = image.current?.files?.[0];
    const descriptionFile = description.current?.files?.[0];
    setOutcome(null);
    if (!imageFile) return setOutcome({ kind: 'missing', what: 'image' });
    const files: Record<string, File> = descriptionFile ? { description: descriptionFile, image: imageFile } : { image: imageFile };
    try {
      const result = await uploadMultipart('/firmware/packages', files, setProgress, () => client.firmware.upload(descriptionFile ? { description: descriptionFile, image: imageFile } : { image: imageFile }));
      setOutcome({ kind: 'uploaded', result });
      for (const input of [description.current, image.current]) if (input) input.value = '';
      onUploaded();
    } catch (cause) {
      setOutcome({ kind: 'refused', reason: cause instanceof UploadInterrupted ? t('firmwareRepo.upload.interrupted') : toUiError(cause).message });
    } finally {
      setProgress(null);
    }
  };

  return (
    <section className="card" data-testid="firmware-upload">
      <h2>{t('firmwareRepo.upload.title')}</h2>
      <p className="muted small">{t('firmwareRepo.upload.hint')}</p>
      <div className="firmware-form">
        <label htmlFor="firmware-description">{t('firmwareRepo.upload.description')}</label>
        <input id="firmware-description" ref={description} type="file" accept=".xml,.json,application/xml,application/json" disabled={progress !== null} />
        <label htmlFor="firmware-image">{t('firmwareRepo.upload.image')}</label>
        <input id="firmware-image" ref={image} type="file" disabled={progress !== null} />
        <div>
          <button type="button" onClick={() => void send()} disabled={progress !== null}>
            {t('firmwareRepo.upload.send')}
          </button>
        </div>
      </div>
      <UploadProgressLine progress={progress} texts={PROGRESS_TEXTS} />
      {text ? (
        <p className="notice" role="status" data-testid="firmware-upload-result">
          {text}
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert" data-testid="firmware-upload-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}

function ImportCatalog({ onImported }: { onImported: () => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const { text, error } = useOutcomeText(outcome);

  const send = async () => {
    const file = input.current?.files?.[0];
    setOutcome(null);
    if (!file) return setOutcome({ kind: 'missing', what: 'catalog' });
    try {
      const result = await uploadMultipart('/firmware/catalogs', { file }, setProgress, () => client.firmware.importCatalog({ file }));
      setOutcome({ kind: 'imported', result });
      if (input.current) input.current.value = '';
      onImported();
    } catch (cause) {
      setOutcome({ kind: 'refused', reason: cause instanceof UploadInterrupted ? t('firmwareRepo.upload.interrupted') : toUiError(cause).message });
    } finally {
      setProgress(null);
    }
  };

  return (
    <section className="card" data-testid="firmware-catalog">
      <h2>{t('firmwareRepo.catalog.title')}</h2>
      <p className="muted small">{t('firmwareRepo.catalog.hint')}</p>
      <div className="firmware-form">
        <label htmlFor="firmware-catalog-file">{t('firmwareRepo.catalog.choose')}</label>
        <input id="firmware-catalog-file" ref={input} type="file" accept=".xml,application/xml" disabled={progress !== null} />
        <div>
          <button type="button" onClick={() => void send()} disabled={progress !== null}>
            {t('firmwareRepo.catalog.send')}
          </button>
        </div>
      </div>
      <UploadProgressLine progress={progress} texts={PROGRESS_TEXTS} />
      {text ? (
        <p className="notice" role="status" data-testid="firmware-catalog-result">
          {text}
        </p>
      ) : null}
      {error ? (
        <p className="error" role="alert" data-testid="firmware-catalog-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}

function PackagesTable({ packages, canManage, onChanged }: { packages: FirmwarePackage[]; canManage: boolean; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [error, setError] = useState<string | null>(null);
  const language = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  const remove = (id: string) => {
    setError(null);
    client.firmware.removePackage({ id }).then(onChanged, (cause: unknown) => setError(toUiError(cause).message));
  };
  return (
    <>
      <ErrorNotice message={error} />
      <table className="simple-table" data-testid="firmware-packages">
        <thead>
          <tr>
            <th>{t('firmwareRepo.packages.vendor')}</th>
            <th>{t('firmwareRepo.packages.component')}</th>
            <th>{t('firmwareRepo.packages.version')}</th>
            <th>{t('firmwareRepo.packages.models')}</th>
            <th>{t('firmwareRepo.packages.released')}</th>
            <th>{t('firmwareRepo.packages.size')}</th>
            <th>{t('firmwareRepo.packages.signer')}</th>
            <th>{t('firmwareRepo.packages.image')}</th>
            <th>{t('firmwareRepo.packages.format')}</th>
            <th>{t('firmwareRepo.packages.inBaselines')}</th>
            {canManage ? <th /> : null}
          </tr>
        </thead>
        <tbody>
          {packages.map((item) => {
            const { description } = item;
            const notes = description.notes[language] || description.notes.en;
            return (
              <tr key={item.id} data-testid={`firmware-package-${item.id}`}>
                <td>{description.vendor}</td>
                <td>{description.component}</td>
                <td className="mono" title={notes || undefined}>
                  {description.version}
                </td>
                <td>{description.appliesTo.models.join(', ')}</td>
                <td className="nowrap">{description.releaseDate}</td>
                <td className="num">{decimalSize(description.image.sizeBytes)}</td>
                <td>{item.signer ? (item.signer.trusted ? (item.signer.name ?? item.signer.keyId.slice(0, 12)) : t('firmwareRepo.packages.untrusted', { name: item.signer.name ?? item.signer.keyId.slice(0, 12) })) : <span className="muted">{t('firmwareRepo.packages.unsigned')}</span>}</td>
                <td>{item.imageStored ? t('firmwareRepo.packages.imageStored') : <span className="warning-text">{t('firmwareRepo.packages.imageAwaited')}</span>}</td>
                <td>{t(`firmwareRepo.packages.formats.${item.format.replace(/[.-]/g, '')}`)}</td>
                <td>{item.baselines.map((baseline) => baseline.name).join(', ') || '—'}</td>
                {canManage ? (
                  <td>
                    <button type="button" className="secondary" disabled={item.baselines.length > 0} onClick={() => remove(item.id)}>
                      {t('firmwareRepo.packages.remove')}
                    </button>
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
