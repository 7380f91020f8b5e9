import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Role } from '../../../shared/domain/access.js';
import { allows, useAccess } from './access.js';

/** What a screen needs: a role on some region or on every region, and for some screens a signed-in user (not the desktop). */
export interface Needs {
  role: Role;
  where: 'anywhere' | 'everywhere';
  /** API tokens and one's own password belong to users; the desktop has none. */
  user?: boolean;
}

function useAllowed(needs: Needs | undefined): boolean | null {
  const { principal, access } = useAccess();
  if (!needs) return true;
  if (!access || !principal) return null;
  if (needs.user && principal.userId === null) return false;
  return allows(access, needs.role, needs.where);
}

/** Renders its children (e.g. a navigation entry) only when the role allows. */
export function Allowed({ needs, children }: { needs: Needs | undefined; children: ReactNode }) {
  return useAllowed(needs) ? <>{children}</> : null;
}

/** A screen reached by its address without the role: says which role it needs instead of showing refusals. */
export function RequireRole({ needs, children }: { needs: Needs | undefined; children: ReactNode }) {
  const { t } = useTranslation();
  const allowed = useAllowed(needs);
  if (allowed === null) return <p className="muted">{t('common.loading')}</p>;
  if (allowed || !needs) return <>{children}</>;
  return (
    <section className="page" aria-labelledby="refused-title">
      <h1 id="refused-title">{t('auth.refused.title')}</h1>
      <div className="notice notice-error" role="alert" data-testid="refused">
        {t('auth.refused.page', { role: t(`auth.roles.${needs.role}`), where: t(`auth.refused.${needs.where}`) })}
      </div>
    </section>
  );
}
