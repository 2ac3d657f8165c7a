// Where each milestone of an offboarding timeline goes in the drawing. Pure: dates in, geometry
// out, so it is unit-tested without a browser.
//
// The axis runs from day 0 to the last due date on a logarithmic scale of days (log(1 + d)):
// the first week, the day-30 shutdown, day 90 and the year of retention all stay readable on one
// line instead of the first month collapsing into a few pixels. Labels that would overlap go on
// further lanes below. Milestones without a date yet ("at archive", "at purge") are listed apart.

export type MilestoneStatusValue = 'PENDING' | 'DONE' | 'SKIPPED' | 'BLOCKED';

export interface MilestoneInput {
  milestone: string;
  status: MilestoneStatusValue;
  dueAt: string | null;
  dueRule: string;
  blockedReason: string | null;
}

export interface PlacedMilestone extends MilestoneInput {
  /** Whole days after day 0 (may be negative for a late start). */
  day: number;
  x: number;
  lane: number;
  dateLabel: string;
}

export interface TimelineLayout {
  width: number;
  height: number;
  axisY: number;
  left: number;
  right: number;
  placed: PlacedMilestone[];
  undated: MilestoneInput[];
}

const DAY_MS = 86_400_000;
export const LANE_HEIGHT = 44;
/** Horizontal room one label needs before the next may share its lane. */
export const LABEL_WIDTH = 210;

const dayOf = (iso: string) => Date.parse(`${iso.slice(0, 10)}T00:00:00Z`);

export function layoutTimeline(input: { dayZero: string; milestones: MilestoneInput[] }, width = 960): TimelineLayout {
  const left = 24;
  const right = width - LABEL_WIDTH;
  const zero = dayOf(input.dayZero);
  const dated = input.milestones.filter((m): m is MilestoneInput & { dueAt: string } => m.dueAt !== null);
  const undated = input.milestones.filter((m) => m.dueAt === null);
  const days = dated.map((m) => Math.round((dayOf(m.dueAt) - zero) / DAY_MS));
  const first = Math.min(0, ...days);
  const last = Math.max(1, ...days);
  const scale = (day: number) => {
    const position = Math.log1p(day - first) / Math.log1p(last - first);
    return Math.round(left + position * (right - left));
  };

  const order = dated.map((m, index) => ({ m, day: days[index] })).sort((a, b) => a.day - b.day || a.m.milestone.localeCompare(b.m.milestone));
  const laneEnds: number[] = [];
  const placed = order.map(({ m, day }) => {
    const x = scale(day);
    let lane = laneEnds.findIndex((end) => end <= x);
    if (lane < 0) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = x + LABEL_WIDTH;
    return { ...m, day, x, lane, dateLabel: m.dueAt.slice(0, 10) };
  });
  const lanes = Math.max(1, laneEnds.length);
  const axisY = 28;
  return {
    width,
    height: axisY + 24 + lanes * LANE_HEIGHT,
    axisY,
    left,
    right,
    placed,
    undated,
  };
}
