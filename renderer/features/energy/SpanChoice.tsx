import { useTranslation } from 'react-i18next';
import { SPANS, type Span } from './energy-format.js';

/** 7, 30 or 90 days, as a segmented choice. */
export function SpanChoice({ value, onChange, name }: { value: Span; onChange: (span: Span) => void; name: string }) {
  const { t } = useTranslation();
  return (
    <div className="segmented" role="radiogroup" aria-label={t('energy.span.label')}>
      {SPANS.map((span) => (
        <label key={span} className={value === span ? 'segment active' : 'segment'}>
          <input type="radio" name={name} value={span} checked={value === span} onChange={() => onChange(span)} />
          {t('energy.span.days', { count: span })}
        </label>
      ))}
    </div>
  );
}
