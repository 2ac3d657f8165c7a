import { percentile, type RoundResult, type Scenario, summarize } from '../harness';

const scenario = (target: Scenario['target']): Scenario => ({
  name: 'example',
  describe: () => ({ ours: 'ours', baseline: 'baseline' }),
  target,
  round: () => Promise.reject(new Error('not run here')),
});

const round = (ours: Record<string, number>, baseline: Record<string, number>): RoundResult => ({
  ours: Object.fromEntries(Object.entries(ours).map(([name, value]) => [name, { unit: 'u', value }])),
  baseline: Object.fromEntries(Object.entries(baseline).map(([name, value]) => [name, { unit: 'u', value }])),
});

describe('benchmark verdicts', () => {
  it('takes the median of each figure across rounds and the ratio of the medians', () => {
    const report = summarize([round({ rate: 10 }, { rate: 20 }), round({ rate: 30 }, { rate: 20 }), round({ rate: 16 }, { rate: 40 })], scenario({ min: 0.8 }));
    expect(report.ours.rate.value).toBe(16);
    expect(report.baseline.rate.value).toBe(20);
    expect(report.ratio).toBeCloseTo(0.8);
    expect(report.pass).toBe(true);
  });

  it('fails a throughput below its minimum ratio and says by how much', () => {
    const report = summarize([round({ rate: 70 }, { rate: 100 })], scenario({ min: 0.8 }));
    expect(report.pass).toBe(false);
    expect(report.notes).toEqual(['rate 0.70× < 0.8×']);
  });

  it('fails a latency above its maximum ratio, on the figure the target names', () => {
    const target = { figure: 'p95', max: 2 };
    expect(summarize([round({ p50: 1, p95: 30 }, { p50: 1, p95: 10 })], scenario(target)).pass).toBe(false);
    expect(summarize([round({ p50: 9, p95: 20 }, { p50: 1, p95: 10 })], scenario(target)).pass).toBe(true);
  });

  it('fails when a further ratio or an absolute limit is broken even though the main ratio holds', () => {
    const further = summarize([round({ rate: 120, p99: 90 }, { rate: 100, p99: 60 })], scenario({ min: 1, ratios: [{ figure: 'p99', max: 1 }] }));
    expect(further.pass).toBe(false);
    expect(further.otherRatios).toEqual({ p99: 1.5 });
    const absolute = summarize([round({ rate: 80, longest: 1200 }, { rate: 100 })], scenario({ min: 0.5, absolute: [{ figure: 'longest', max: 1000 }] }));
    expect(absolute.pass).toBe(false);
    expect(absolute.notes).toEqual(['longest 1200.0 > 1000']);
  });

  it('reads percentiles by rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile([], 99)).toBe(0);
  });
});
