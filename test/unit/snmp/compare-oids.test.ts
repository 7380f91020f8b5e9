import { describe, expect, it } from 'vitest';
import { compareOids } from '../../../main/core/protocols/snmp/session.js';

/** The rule: numeric, component by component; a prefix comes first. */
function byComponents(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) if (left[index] !== right[index]) return left[index]! - right[index]!;
  return left.length - right.length;
}

describe('compareOids', () => {
  it('orders numerically, not as text, and a prefix first', () => {
    expect(compareOids('1.3.6.1.2.1.2.2.1.10.2', '1.3.6.1.2.1.2.2.1.10.10')).toBeLessThan(0);
    expect(compareOids('1.3.6.1.2.1.2.2.1.10', '1.3.6.1.2.1.2.2.1.10.1')).toBeLessThan(0);
    expect(compareOids('1.3.6.1.4.1.318', '1.3.6.1.2.1.33')).toBeGreaterThan(0);
    expect(compareOids('1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.2.0')).toBe(0);
    expect(compareOids('1.3.6.1.4.1.4294967295', '1.3.6.1.4.1.4294967294')).toBeGreaterThan(0);
  });

  it('agrees in sign with the component-by-component rule on random OIDs', () => {
    let seed = 11;
    const random = (below: number) => (seed = (seed * 16807) % 2147483647) % below;
    const oid = () => Array.from({ length: 1 + random(12) }, () => String(random(5) === 0 ? random(4294967296) : random(30))).join('.');
    for (let round = 0; round < 20_000; round += 1) {
      const a = oid();
      const b = random(3) === 0 ? `${a}.${random(40)}` : random(4) === 0 ? a : oid();
      expect(Math.sign(compareOids(a, b))).toBe(Math.sign(byComponents(a, b)));
    }
  });
});
