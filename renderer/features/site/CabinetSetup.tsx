import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { TemplateSummary } from '../../../shared/domain/cabinet.js';
import type { Language } from '../../../shared/i18n/index.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { RackElevation } from '../../components/RackElevation.js';

/** First visit to a site: pick the cabinet model installed there. */
export function CabinetSetup({ siteId, onCreated }: { siteId: string; onCreated: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [templates, setTemplates] = useState<z.infer<typeof TemplateSummary>[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    client.cabinets.templates().then(setTemplates, (cause: unknown) => setError(toUiError(cause).message));
  }, [client]);
  const language = (i18n.language === 'zh-CN' ? 'zh-CN' : 'en') as Language;
  const create = async (templateId: string) => {
    setBusy(true);
    try {
      await client.cabinets.create({ siteId, templateId, language });
      onCreated();
    } catch (cause) {
      setError(toUiError(cause).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="setup-title">
      <h2 id="setup-title">{t('site.setupTitle')}</h2>
      <p className="muted">{t('site.setupIntro')}</p>
      <ErrorNotice message={error} />
      <div className="template-cards">
        {templates.map((template) => (
          <div className="card template-card" key={template.id} data-testid={`template-${template.id}`}>
            <div className="template-preview">
              <RackElevation
                compact
                view="both"
                heightU={template.heightU}
                devices={template.layout.map((slot) => ({
                  id: slot.slotId,
                  cabinetId: template.id,
                  slotId: slot.slotId,
                  kind: slot.kind,
                  name: slot.name[language],
                  model: null,
                  u: slot.u,
                  heightU: slot.heightU,
                  face: slot.face,
                  depth: slot.depth,
                  protocol: 'none',
                  endpoint: null,
                  hasCredential: false,
                  fingerprint: null,
                  status: 'unknown',
                  observedAt: null,
                  error: null,
                }))}
              />
            </div>
            <strong>{template.name[language]}</strong>
            <span className="muted">{template.description[language]}</span>
            <span className="muted small">
              {template.heightU}U · {t('site.devicesCount', { count: template.deviceCount })}
            </span>
            <button type="button" className="primary" disabled={busy} onClick={() => void create(template.id)}>
              {t('site.setupButton')}
            </button>
          </div>
        ))}
      </div>
    </section>
  );
}
