import { useTranslation } from 'react-i18next';
import { ROLES, type Grant, type Role } from '../../../shared/domain/access.js';
import type { Region } from '../../../shared/domain/region.js';
import { RegionOptions } from '../regions/RegionOptions.js';

/**
 * A user's roles as rows of "role + where", where is a region (and all below
 * it) or every region. At least one row stays; the core checks the rest.
 */
export function GrantsEditor({ grants, regions, error, onChange }: { grants: readonly Grant[]; regions: readonly Region[]; error?: string | undefined; onChange: (grants: Grant[]) => void }) {
  const { t } = useTranslation();
  const set = (index: number, grant: Grant) => onChange(grants.map((each, at) => (at === index ? grant : each)));
  return (
    <fieldset className={error ? 'grants-editor field-invalid' : 'grants-editor'} aria-describedby={error ? 'grants-error' : 'grants-hint'}>
      <legend>{t('users.roles')}</legend>
      <div className="field-hint" id="grants-hint">
        {t('users.rolesHint')}
      </div>
      {grants.map((grant, index) => (
        <div className="grant-row" role="group" aria-label={t('users.grant.rowLabel', { index: index + 1 })} key={index}>
          <select aria-label={t('users.grant.role')} value={grant.role} onChange={(event) => set(index, { ...grant, role: event.target.value as Role })}>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {t(`auth.roles.${role}`)}
              </option>
            ))}
          </select>
          <select
            aria-label={t('users.grant.region')}
            value={grant.regionId ?? ''}
            onChange={(event) => set(index, { ...grant, regionId: event.target.value ? Number(event.target.value) : null })}
          >
            <option value="">{t('users.grant.everywhere')}</option>
            <RegionOptions regions={regions} />
          </select>
          {grants.length > 1 ? (
            <button type="button" className="link-button danger" aria-label={`${t('users.grant.remove')} ${index + 1}`} onClick={() => onChange(grants.filter((_, at) => at !== index))}>
              {t('users.grant.remove')}
            </button>
          ) : null}
        </div>
      ))}
      <div>
        <button type="button" className="link-button" onClick={() => onChange([...grants, { role: 'viewer', regionId: regions[0]?.id ?? null }])}>
          + {t('users.grant.add')}
        </button>
      </div>
      {error ? (
        <div className="field-error" id="grants-error" role="alert">
          {error}
        </div>
      ) : null}
    </fieldset>
  );
}
