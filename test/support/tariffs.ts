import type { Tariff } from '../../shared/domain/energy.js';

/** A usual Chinese commercial tariff in Shanghai time: valley 23:00–07:00 (over midnight), peak 08–11 and 18–23, flat the rest. */
export const SHANGHAI_TARIFF: Tariff = {
  currency: 'CNY',
  timeZone: 'Asia/Shanghai',
  periods: [
    { band: 'valley', from: 23, to: 7, price: 0.3 },
    { band: 'flat', from: 7, to: 8, price: 0.7 },
    { band: 'peak', from: 8, to: 11, price: 1.2 },
    { band: 'flat', from: 11, to: 18, price: 0.7 },
    { band: 'peak', from: 18, to: 23, price: 1.2 },
  ],
};
