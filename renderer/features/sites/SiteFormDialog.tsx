import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Region } from '../../../shared/domain/region.js';
import { SiteFields, type Site } from '../../../shared/domain/site.js';
import { toFieldIssues, type FieldIssue } from '../../../shared/domain/validation.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { Dialog } from '../../components/Dialog.js';
import { Field, TextInput } from '../../components/Field.js';
import { issueText } from '../../i18n/index.js';
import { RegionOptions } from '../regions/RegionOptions.js';

type FormField = 'name' | 'code' | 'latitude' | 'longitude' | 'regionId' | 'address' | 'contact';
type FormValues = Record<FormField, string>;

function initialValues(site: Site | null, initial?: { latitude: number; longitude: number }): FormValues {
  return {
    name: site?.name ?? '',
    code: site?.code ?? '',
    latitude: site ? String(site.latitude) : initial ? String(initial.latitude) : '',
    longitude: site ? String(site.longitude) : initial ? String(initial.longitude) : '',
    regionId: site?.regionId ? String(site.regionId) : '',
    address: site?.address ?? '',
    contact: site?.contact ?? '',
  };
}

function parseNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text.trim());
}

/** Validates with the contract's own schema, so the form and the core agree on every rule. */
function validate(values: FormValues): { issues: Record<string, FieldIssue>; fields: SiteFields | null } {
  const issues: Record<string, FieldIssue> = {};
  for (const field of ['latitude', 'longitude'] as const) {
    const text = values[field].trim();
    if (text !== '' && !Number.isFinite(Number(text))) {
      issues[field] = { field, code: 'not_a_number', message: 'Must be a number' };
    }
  }
  const candidate = {
    name: values.name,
    code: values.code,
    latitude: parseNumber(values.latitude),
    longitude: parseNumber(values.longitude),
    regionId: values.regionId ? Number(values.regionId) : null,
    address: values.address,
    contact: values.contact,
  };
  const checked = SiteFields.safeParse(candidate);
  if (!checked.success) {
    for (const issue of toFieldIssues(checked.error.issues)) issues[issue.field] ??= issue;
    return { issues, fields: null };
  }
  return { issues, fields: Object.keys(issues).length === 0 ? checked.data : null };
}

export function SiteFormDialog({
  site,
  initial,
  regions,
  onClose,
  onSaved,
}: {
  site: Site | null;
  /** Where a new site goes, e.g. picked on the map. */
  initial?: { latitude: number; longitude: number };
  regions: readonly Region[];
  onClose: () => void;
  onSaved: (site: Site, created: boolean) => void;
}) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [values, setValues] = useState(() => initialValues(site, initial));
  const [touched, setTouched] = useState<Partial<Record<FormField, boolean>>>({});
  const [serverIssues, setServerIssues] = useState<Record<string, FieldIssue>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const local = validate(values);

  const errorFor = (field: FormField): string | undefined => {
    const issue = serverIssues[field] ?? (touched[field] ? local.issues[field] : undefined);
    return issue ? issueText(t, issue) : undefined;
  };
  const change = (field: FormField, value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    setServerIssues(({ [field]: _dropped, ...rest }) => rest);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched({ name: true, code: true, latitude: true, longitude: true, regionId: true, address: true, contact: true });
    if (!local.fields) return;
    setSaving(true);
    setFormError(null);
    try {
      const saved = site ? await client.sites.update({ id: site.id, ...local.fields }) : await client.sites.create(local.fields);
      onSaved(saved, site === null);
    } catch (error) {
      const uiError = toUiError(error);
      setServerIssues(uiError.fields);
      if (Object.keys(uiError.fields).length === 0) setFormError(uiError.message);
    } finally {
      setSaving(false);
    }
  };

  const input = (field: Exclude<FormField, 'regionId'>, extra: { inputMode?: 'decimal'; hint?: string; required?: boolean } = {}) => (
    <Field id={`site-${field}`} label={t(`sites.field.${field}`)} hint={extra.hint} error={errorFor(field)}>
      <TextInput
        id={`site-${field}`}
        name={field}
        value={values[field]}
        inputMode={extra.inputMode}
        required={extra.required}
        hint={extra.hint}
        error={errorFor(field)}
        onChange={(event) => change(field, event.target.value)}
        onBlur={() => setTouched((current) => ({ ...current, [field]: true }))}
      />
    </Field>
  );

  return (
    <Dialog title={site ? t('sites.editTitle', { code: site.code }) : t('sites.newTitle')} onClose={onClose}>
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <div className="form-grid">
          {input('name', { required: true })}
          {input('code', { required: true, hint: t('sites.hint.code') })}
          {input('latitude', { required: true, inputMode: 'decimal', hint: t('sites.hint.latitude') })}
          {input('longitude', { required: true, inputMode: 'decimal', hint: t('sites.hint.longitude') })}
          <Field id="site-regionId" label={t('sites.field.region')} error={errorFor('regionId')}>
            <select id="site-regionId" name="regionId" value={values.regionId} onChange={(event) => change('regionId', event.target.value)}>
              <option value="">{t('common.none')}</option>
              <RegionOptions regions={regions} />
            </select>
          </Field>
          {input('contact')}
          <div className="span-2">{input('address')}</div>
        </div>
        {formError ? (
          <div className="form-error" role="alert">
            {t('common.error', { message: formError })}
          </div>
        ) : null}
        <footer className="dialog-actions">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={saving}>
            {saving ? t('common.saving') : site ? t('common.save') : t('common.create')}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
