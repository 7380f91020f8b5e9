import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import type { CoreProblem } from '../../../shared/contract/index.js';
import { useApi } from '../../api/context.js';
import { useCan } from '../auth/access.js';

type Problem = z.infer<typeof CoreProblem>;

/** Failures of EdgeCab's own background work, for administrators: what failed, how often, when last. */
export function CoreProblems() {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const allowed = useCan('administrator', 'everywhere');
  const [problems, setProblems] = useState<Problem[]>([]);
  useEffect(() => {
    if (!allowed) return;
    let cancelled = false;
    const load = () => client.system.problems().then((list) => !cancelled && setProblems(list), () => undefined);
    load();
    const timer = setInterval(load, 15_000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [client, allowed]);
  if (!allowed || problems.length === 0) return null;
  return (
    <section className="notice warning" role="status" aria-labelledby="core-problems-title" data-testid="core-problems">
      <h2 id="core-problems-title">{t('system.problems.title')}</h2>
      <p>{t('system.problems.intro')}</p>
      <ul>
        {problems.map((problem) => (
          <li key={problem.key}>
            <strong>{i18n.exists(`system.problems.kinds.${problem.key.replace(/\./g, '_')}`) ? t(`system.problems.kinds.${problem.key.replace(/\./g, '_')}`) : problem.key}</strong>: {problem.message} ({t('system.problems.count', { count: problem.count, at: new Date(problem.lastSeen).toLocaleString(i18n.language) })})
          </li>
        ))}
      </ul>
    </section>
  );
}
