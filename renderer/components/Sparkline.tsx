/** A small line of recent values; gaps (null) break the line. */
export function Sparkline({ values, label, width = 180, height = 36 }: { values: readonly (number | null)[]; label: string; width?: number; height?: number }) {
  const known = values.filter((value): value is number => value !== null);
  if (known.length < 2) return null;
  const min = Math.min(...known);
  const max = Math.max(...known);
  const span = max - min || 1;
  const step = width / Math.max(values.length - 1, 1);
  let path = '';
  let drawing = false;
  values.forEach((value, index) => {
    if (value === null) {
      drawing = false;
      return;
    }
    const x = index * step;
    const y = height - 2 - ((value - min) / span) * (height - 4);
    path += `${drawing ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)} `;
    drawing = true;
  });
  return (
    <svg className="sparkline" width={width} height={height} role="img" aria-label={label}>
      <path d={path} />
    </svg>
  );
}
