import { describe, expect, it } from 'vitest';
import { migrate } from '../store/migrate.ts';
import { openPglite } from '../store/pglite.ts';
import { DEFAULT_THRESHOLDS } from './thresholds.ts';
import { loadThresholds, thresholdsFromParameters } from './thresholds-config.ts';

describe('thresholds from config parameters', () => {
  it('maps the seed keys and keeps defaults for the rest', () => {
    const t = thresholdsFromParameters({ stablecoin_max_price: 1.2, outlier_sigma: '6', max_age_hours: 2 });
    expect(t.bounds.stablecoin).toEqual({ min: 0.5, max: 1.2 });
    expect(t.outlierSigma).toBe(6);
    expect(t.freshnessMaxAgeMs).toBe(7_200_000);
    expect(t.maxOutlierFraction).toBe(DEFAULT_THRESHOLDS.maxOutlierFraction);
  });

  it('reads the seeded rows of migration 040 (equal to the defaults)', async () => {
    const db = await openPglite();
    try {
      await migrate(db);
      const t = await loadThresholds(db);
      expect(t.bounds.stablecoin).toEqual({ min: 0.5, max: 1.5 });
      expect(t.outlierSigma).toBe(5);
      expect(t.freshnessMaxAgeMs).toBe(86_400_000);
    } finally {
      await db.close();
    }
  });
});
