import { LabOffer } from '../lab/LabPage.js';
import { useDeferredValue, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Site, SiteSortKey } from '../../../shared/domain/site.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { useRegions } from '../regions/useRegions.js';
import { CsvImportDialog } from './CsvImportDialog.js';
import { SiteFormDialog } from './SiteFormDialog.js';
import { SiteTable } from './SiteTable.js';
import { useSiteRows } from './useSiteRows.js';
import { RegionOptions } from '../regions/RegionOptions.js';
import { useCan, useCanAt } from '../auth/access.js';

type Editing = { kind: 'none' } | { kind: 'form'; site: Site | null } | { kind: 'import' };

export function SitesPage() {
  const { t } = useTranslation();
  const { client } = useApi();
  const { regions } = useRegions();
  const [search, setSearch] = useState('');
  const q = useDeferredValue(search.trim());
  const [regionId, setRegionId] = useState<number | undefined>(undefined);
  const [sort, setSort] = useState<SiteSortKey>('name');
  const [order, setOrder] = useState<'asc' | 'desc'>('asc');
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  const rows = useSiteRows({ q, regionId, sort, order });
  // Creating needs administrator somewhere (the form's region decides where); the CSV import may touch any region.
  const canCreate = useCan('administrator', 'anywhere');
  const canImport = useCan('administrator', 'everywhere');
  const canAt = useCanAt();
  const filtered = q !== '' || regionId !== undefined;

  const toggleSort = (key: SiteSortKey) => {
    if (key === sort) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setSort(key);
      setOrder('asc');
    }
  };

  const remove = async (site: Site) => {
    if (!window.confirm(t('sites.deleteConfirm', { name: site.name, code: site.code }))) return;
    try {
      await client.sites.delete({ id: site.id });
      setNotice({ text: t('sites.deleted', { code: site.code }), error: false });
    } catch (error) {
      setNotice({ text: t('common.error', { message: toUiError(error).message }), error: true });
    }
  };

  return (
    <section className="page" aria-labelledby="sites-title">
      <header className="page-header">
        <div>
          <h1 id="sites-title">{t('sites.title')}</h1>
          <p className="muted" data-testid="site-count">
            {rows.total === null ? t('common.loading') : t('sites.count', { count: rows.total })}
          </p>
        </div>
        <div className="page-actions">
          {canImport ? (
            <button type="button" onClick={() => setEditing({ kind: 'import' })}>
              {t('sites.import')}
            </button>
          ) : null}
          {canCreate ? (
            <button type="button" className="primary" onClick={() => setEditing({ kind: 'form', site: null })}>
              {t('sites.new')}
            </button>
          ) : null}
        </div>
      </header>
      <div className="toolbar">
        <input
          type="search"
          className="search"
          placeholder={t('sites.search')}
          aria-label={t('sites.search')}
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
        <select
          aria-label={t('sites.regionFilter')}
          value={regionId ?? ''}
          onChange={(event) => setRegionId(event.target.value ? Number(event.target.value) : undefined)}
        >
          <option value="">{t('sites.allRegions')}</option>
          <RegionOptions regions={regions} />
        </select>
      </div>
      {notice ? (
        <div className={notice.error ? 'notice notice-error' : 'notice'} role="status">
          {notice.text}
          <button type="button" className="icon-button" aria-label={t('common.close')} onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      ) : null}
      <ErrorNotice message={rows.error} />
      {rows.total === 0 ? (
        <>
          <p className="empty">{filtered ? t('sites.noMatch') : t('sites.empty')}</p>
          {!filtered ? <LabOffer /> : null}
        </>
      ) : (
        <SiteTable
          rows={rows}
          regions={regions}
          sort={sort}
          order={order}
          onSort={toggleSort}
          canChange={(site) => canAt('administrator', site.regionId)}
          onEdit={(site) => setEditing({ kind: 'form', site })}
          onDelete={(site) => void remove(site)}
        />
      )}
      {editing.kind === 'form' ? (
        <SiteFormDialog
          site={editing.site}
          regions={regions}
          onClose={() => setEditing({ kind: 'none' })}
          onSaved={(site, created) => {
            setEditing({ kind: 'none' });
            setNotice({ text: t(created ? 'sites.created' : 'sites.updated', { code: site.code }), error: false });
          }}
        />
      ) : null}
      {editing.kind === 'import' ? (
        <CsvImportDialog
          onClose={() => setEditing({ kind: 'none' })}
          onImported={(count) => setNotice({ text: t('csv.done', { count }), error: false })}
        />
      ) : null}
    </section>
  );
}
