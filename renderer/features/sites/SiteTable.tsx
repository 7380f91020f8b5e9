import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Region } from '../../../shared/domain/region.js';
import type { Site, SiteSortKey } from '../../../shared/domain/site.js';
import { formatDateTime } from '../../components/format.js';
import type { SiteRows } from './useSiteRows.js';

const ROW_HEIGHT = 40;

interface Column {
  key: SiteSortKey | 'region' | 'address' | 'contact';
  sortable: boolean;
  width: string;
}

const COLUMNS: readonly Column[] = [
  { key: 'code', sortable: true, width: 'minmax(110px, 1fr)' },
  { key: 'name', sortable: true, width: 'minmax(160px, 2fr)' },
  { key: 'region', sortable: false, width: 'minmax(120px, 1.5fr)' },
  { key: 'latitude', sortable: true, width: '110px' },
  { key: 'longitude', sortable: true, width: '110px' },
  { key: 'address', sortable: false, width: 'minmax(110px, 2fr)' },
  { key: 'contact', sortable: false, width: 'minmax(100px, 1fr)' },
  { key: 'updatedAt', sortable: true, width: '140px' },
];
const GRID_TEMPLATE = `${COLUMNS.map((column) => column.width).join(' ')} 170px`;

function cellText(site: Site, key: Column['key'], regionPaths: Map<number, string>, language: string): string {
  switch (key) {
    case 'region':
      return site.regionId === null ? '' : (regionPaths.get(site.regionId) ?? `#${site.regionId}`);
    case 'latitude':
      return site.latitude.toFixed(5);
    case 'longitude':
      return site.longitude.toFixed(5);
    case 'updatedAt':
    case 'createdAt':
      return formatDateTime(site[key], language);
    default:
      return site[key] ?? '';
  }
}

export function SiteTable({
  rows,
  regions,
  sort,
  order,
  onSort,
  canChange = () => true,
  onEdit,
  onDelete,
}: {
  rows: SiteRows;
  regions: readonly Region[];
  sort: SiteSortKey;
  order: 'asc' | 'desc';
  onSort: (key: SiteSortKey) => void;
  /** Whether the signed-in role may edit or delete this site: the buttons are hidden otherwise. */
  canChange?: (site: Site) => boolean;
  onEdit: (site: Site) => void;
  onDelete: (site: Site) => void;
}) {
  const { t, i18n } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const regionPaths = new Map(regions.map((region) => [region.id, region.path]));
  const count = rows.total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  const { ensure } = rows;
  useEffect(() => {
    if (count > 0) ensure(first, last);
  }, [ensure, first, last, count]);

  return (
    <div className="table" role="table" aria-rowcount={count + 1} data-testid="site-table">
      <div className="table-row table-head" role="row" style={{ gridTemplateColumns: GRID_TEMPLATE }}>
        {COLUMNS.map((column) => {
          const active = column.key === sort;
          return (
            <div
              key={column.key}
              role="columnheader"
              className="table-cell"
              aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : undefined}
            >
              {column.sortable ? (
                <button type="button" className="sort-button" onClick={() => onSort(column.key as SiteSortKey)}>
                  {t(`sites.field.${column.key}`)}
                  <span aria-hidden="true">{active ? (order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
                </button>
              ) : (
                t(`sites.field.${column.key}`)
              )}
            </div>
          );
        })}
        <div role="columnheader" className="table-cell">
          {t('sites.actions')}
        </div>
      </div>
      <div className="table-body" ref={scrollRef} tabIndex={0} aria-label={t('sites.title')}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const site = rows.row(item.index);
            return (
              <div
                key={item.key}
                role="row"
                aria-rowindex={item.index + 2}
                className={item.index % 2 ? 'table-row odd' : 'table-row'}
                data-testid={site ? `site-row-${site.code}` : undefined}
                style={{ gridTemplateColumns: GRID_TEMPLATE, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                {site ? (
                  <>
                    {COLUMNS.map((column) => (
                      <div key={column.key} role="cell" className={`table-cell cell-${column.key}`} title={cellText(site, column.key, regionPaths, i18n.language)}>
                        {cellText(site, column.key, regionPaths, i18n.language)}
                      </div>
                    ))}
                    <div role="cell" className="table-cell cell-actions">
                      <Link className="link-button" to={`/sites/${site.id}`}>
                        {t('site.open')}
                      </Link>
                      {canChange(site) ? (
                        <>
                          <button type="button" className="link-button" onClick={() => onEdit(site)}>
                            {t('common.edit')}
                          </button>
                          <button type="button" className="link-button danger" onClick={() => onDelete(site)}>
                            {t('common.delete')}
                          </button>
                        </>
                      ) : null}
                    </div>
                  </>
                ) : (
                  <div role="cell" className="table-cell placeholder">
                    {t('common.loading')}
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
