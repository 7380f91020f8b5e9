import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { buildRegionTree, type RegionNode } from '../../../shared/domain/region.js';
import { useApi } from '../../api/context.js';
import { toUiError } from '../../api/errors.js';
import { ErrorNotice } from '../../components/ErrorNotice.js';
import { issueText } from '../../i18n/index.js';
import { useRegions } from './useRegions.js';
import { useCan, useCanAt } from '../auth/access.js';
import { TariffPanel } from './TariffPanel.js';

type Editor = { kind: 'add'; parentId: number | null } | { kind: 'rename'; id: number; name: string } | null;

function NameEditor({ initial, onSubmit, onCancel }: { initial: string; onSubmit: (name: string) => Promise<string | null>; onCancel: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(await onSubmit(name));
  };
  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)}>
      <input
        aria-label={t('regions.name')}
        placeholder={t('regions.name')}
        value={name}
        autoFocus
        aria-invalid={error ? true : undefined}
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit" className="primary">
        {t('common.save')}
      </button>
      <button type="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}

export function RegionsPage() {
  const { t } = useTranslation();
  const { client } = useApi();
  const { regions, error } = useRegions();
  const [editor, setEditor] = useState<Editor>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tariffOf, setTariffOf] = useState<number | null>(null);
  // A top-level region is a change at the root; a region's own edits need administrator on it (grants cover sub-regions).
  const canAddTop = useCan('administrator', 'everywhere');
  const canAt = useCanAt();

  const save = async (name: string): Promise<string | null> => {
    try {
      if (editor?.kind === 'add') await client.regions.create({ name, parentId: editor.parentId });
      else if (editor?.kind === 'rename') await client.regions.update({ id: editor.id, name });
      setEditor(null);
      return null;
    } catch (cause) {
      const uiError = toUiError(cause);
      const issue = uiError.fields.name;
      return issue ? issueText(t, issue) : uiError.message;
    }
  };

  const remove = async (node: RegionNode) => {
    if (!window.confirm(t('regions.deleteConfirm', { path: node.path }))) return;
    try {
      await client.regions.delete({ id: node.id });
      setNotice(null);
    } catch (cause) {
      setNotice(toUiError(cause).message);
    }
  };

  const renderNode = (node: RegionNode) => (
    <li key={node.id} data-testid={`region-${node.path}`}>
      <div className="tree-row">
        {editor?.kind === 'rename' && editor.id === node.id ? (
          <NameEditor initial={node.name} onSubmit={save} onCancel={() => setEditor(null)} />
        ) : (
          <>
            <span className="tree-name">{node.name}</span>
            <span className="muted">{t('regions.sites', { count: node.siteCount })}</span>
            {canAt('viewer', node.id) ? (
              <button type="button" className="link-button" aria-expanded={tariffOf === node.id} onClick={() => setTariffOf(tariffOf === node.id ? null : node.id)}>
                {tariffOf === node.id ? t('energy.tariff.hide') : t('energy.tariff.button')}
              </button>
            ) : null}
            {canAt('administrator', node.id) ? (
              <span className="tree-actions">
                <button type="button" className="link-button" onClick={() => setEditor({ kind: 'add', parentId: node.id })}>
                  {t('regions.addChild')}
                </button>
                <button type="button" className="link-button" onClick={() => setEditor({ kind: 'rename', id: node.id, name: node.name })}>
                  {t('regions.rename')}
                </button>
                <button type="button" className="link-button danger" onClick={() => void remove(node)}>
                  {t('common.delete')}
                </button>
              </span>
            ) : null}
          </>
        )}
      </div>
      {tariffOf === node.id ? <TariffPanel region={node} canAdminister={canAt('administrator', node.id)} /> : null}
      {(node.children.length > 0 || (editor?.kind === 'add' && editor.parentId === node.id)) && (
        <ul>
          {node.children.map(renderNode)}
          {editor?.kind === 'add' && editor.parentId === node.id ? (
            <li>
              <NameEditor initial="" onSubmit={save} onCancel={() => setEditor(null)} />
            </li>
          ) : null}
        </ul>
      )}
    </li>
  );

  const tree = buildRegionTree(regions);
  return (
    <section className="page" aria-labelledby="regions-title">
      <header className="page-header">
        <div>
          <h1 id="regions-title">{t('regions.title')}</h1>
          <p className="muted">{t('regions.intro')}</p>
        </div>
        {canAddTop ? (
          <div className="page-actions">
            <button type="button" className="primary" onClick={() => setEditor({ kind: 'add', parentId: null })}>
              {t('regions.new')}
            </button>
          </div>
        ) : null}
      </header>
      <ErrorNotice message={notice ?? error} />
      <div className="card">
        {tree.length === 0 && editor?.kind !== 'add' ? <p className="empty">{t('regions.empty')}</p> : null}
        <ul className="tree">
          {tree.map(renderNode)}
          {editor?.kind === 'add' && editor.parentId === null ? (
            <li>
              <NameEditor initial="" onSubmit={save} onCancel={() => setEditor(null)} />
            </li>
          ) : null}
        </ul>
      </div>
    </section>
  );
}
