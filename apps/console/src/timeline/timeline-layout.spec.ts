import { layoutTimeline, LABEL_WIDTH, type MilestoneInput } from './timeline-layout';

const milestone = (kind: string, dueAt: string | null, status: MilestoneInput['status'] = 'PENDING'): MilestoneInput => ({
  milestone: kind,
  status,
  dueAt: dueAt && `${dueAt}T00:00:00.000Z`,
  dueRule: dueAt ? 'day n' : 'at archive',
  blockedReason: status === 'BLOCKED' ? 'legal hold' : null,
});

// The vendor defaults: day 0, 7, 30 (two), 90 (two), 365.
const vendor = [
  milestone('ENTITLEMENTS_CANCELLED', '2026-01-01', 'DONE'),
  milestone('EXPORT_WINDOW_CLOSES', '2026-01-08'),
  milestone('SSO_SHUTDOWN', '2026-01-31'),
  milestone('PII_MASKED', '2026-01-31', 'BLOCKED'),
  milestone('PORTAL_HIDDEN', '2026-04-01'),
  milestone('FINAL_CONFIRMATION', '2026-04-01'),
  milestone('PURGE_ELIGIBLE', '2027-01-01'),
];

describe('the timeline drawing', () => {
  it('places milestones in date order from day 0 at the left to the last due date at the right', () => {
    const layout = layoutTimeline({ dayZero: '2026-01-01', milestones: vendor }, 900);
    expect(layout.placed.map((m) => m.day)).toEqual([0, 7, 30, 30, 90, 90, 365]);
    expect(layout.placed[0].x).toBe(layout.left);
    expect(layout.placed[6].x).toBe(layout.right);
    const xs = layout.placed.map((m) => m.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(layout.placed.find((m) => m.milestone === 'PII_MASKED')).toMatchObject({ status: 'BLOCKED', blockedReason: 'legal hold', dateLabel: '2026-01-31' });
  });

  it('keeps the first week readable: day 7 is well clear of day 0 on a logarithmic axis', () => {
    const layout = layoutTimeline({ dayZero: '2026-01-01', milestones: vendor }, 900);
    const at = (day: number) => layout.placed.find((m) => m.day === day)!.x;
    // On a linear axis day 7 of 365 would be 14 px from day 0; here it is a third of the way.
    expect(at(7) - at(0)).toBeGreaterThan((layout.right - layout.left) / 4);
    expect(at(90)).toBeLessThan(at(365));
  });

  it('never lets two labels of one lane overlap', () => {
    const layout = layoutTimeline({ dayZero: '2026-01-01', milestones: vendor }, 900);
    for (const a of layout.placed) {
      for (const b of layout.placed) {
        if (a !== b && a.lane === b.lane) expect(Math.abs(a.x - b.x)).toBeGreaterThanOrEqual(LABEL_WIDTH);
      }
    }
    // Same-day milestones share a date but not a lane.
    const day30 = layout.placed.filter((m) => m.day === 30);
    expect(new Set(day30.map((m) => m.lane)).size).toBe(2);
    expect(layout.height).toBeGreaterThan(layout.axisY + Math.max(...layout.placed.map((m) => m.lane)) * 44);
  });

  it('lists milestones without a date apart', () => {
    const customer = [milestone('ENTITLEMENTS_CANCELLED', '2026-01-01', 'DONE'), milestone('SSO_SHUTDOWN', null), milestone('PURGE_ELIGIBLE', '2027-01-01')];
    const layout = layoutTimeline({ dayZero: '2026-01-01', milestones: customer }, 900);
    expect(layout.placed.map((m) => m.milestone)).toEqual(['ENTITLEMENTS_CANCELLED', 'PURGE_ELIGIBLE']);
    expect(layout.undated.map((m) => m.milestone)).toEqual(['SSO_SHUTDOWN']);
  });

  it('puts a milestone due before day 0 left of day 0', () => {
    const layout = layoutTimeline({ dayZero: '2026-03-01', milestones: [milestone('EXPORT_WINDOW_CLOSES', '2026-02-20'), milestone('ENTITLEMENTS_CANCELLED', '2026-03-01')] }, 600);
    expect(layout.placed.map((m) => m.day)).toEqual([-9, 0]);
    expect(layout.placed[0].x).toBe(layout.left);
    expect(layout.placed[1].x).toBeGreaterThan(layout.left + (layout.right - layout.left) / 2);
  });
});
