import { useId } from 'react';
import type { TimelineFieldsFragment } from '../api/generated';
import { formatDate, words } from '../format';
import { LANE_HEIGHT, layoutTimeline } from './timeline-layout';

const MILESTONE_NAMES: Record<string, string> = {
  ENTITLEMENTS_CANCELLED: 'Entitlements cancelled, access restricted',
  EXPORT_WINDOW_CLOSES: 'Export window closes',
  SSO_SHUTDOWN: 'SSO shut down, accounts deactivated',
  PII_MASKED: 'Personal data masked, campaigns invalidated',
  PORTAL_HIDDEN: 'Portal hidden, reactivation window closes',
  FINAL_CONFIRMATION: 'Final confirmation sent',
  PURGE_ELIGIBLE: 'Purge eligible',
};

/** Short names for the drawing, where labels share a line; the table says them in full. */
const SHORT_NAMES: Record<string, string> = {
  ENTITLEMENTS_CANCELLED: 'Entitlements cancelled',
  EXPORT_WINDOW_CLOSES: 'Export window closes',
  SSO_SHUTDOWN: 'SSO shut down',
  PII_MASKED: 'Personal data masked',
  PORTAL_HIDDEN: 'Portal hidden',
  FINAL_CONFIRMATION: 'Final confirmation',
  PURGE_ELIGIBLE: 'Purge eligible',
};

export const milestoneName = (kind: string) => MILESTONE_NAMES[kind] ?? words(kind);
const shortName = (kind: string) => SHORT_NAMES[kind] ?? words(kind);

/** A status is told by shape and text as well as colour. */
function Marker({ status, x, y }: { status: string; x: number; y: number }) {
  switch (status) {
    case 'DONE':
      return <circle className="marker done" cx={x} cy={y} r={8} />;
    case 'BLOCKED':
      return <rect className="marker blocked" x={x - 8} y={y - 8} width={16} height={16} />;
    case 'SKIPPED':
      return <circle className="marker skipped" cx={x} cy={y} r={6} />;
    default:
      return <circle className="marker pending" cx={x} cy={y} r={7} />;
  }
}

/**
 * The offboarding timeline as a picture (each milestone at its due date with its status) and,
 * beside it, the same facts as a table for screen readers and for the reasons a milestone is
 * blocked.
 */
export function Timeline({ timeline, caption }: { timeline: TimelineFieldsFragment; caption: string }) {
  const titleId = useId();
  const layout = layoutTimeline({ dayZero: timeline.dayZero, milestones: timeline.milestones });
  return (
    <figure className="timeline">
      <svg viewBox={`0 0 ${layout.width} ${layout.height}`} role="img" aria-labelledby={titleId} width="100%">
        <title id={titleId}>{`${caption}: ${layout.placed.map((m) => `${milestoneName(m.milestone)} ${m.dateLabel} ${words(m.status)}`).join('; ')}`}</title>
        <line className="axis" x1={layout.left} x2={layout.right} y1={layout.axisY} y2={layout.axisY} />
        {/* Leaders first, so every label (drawn with a halo) stays readable over them. */}
        {layout.placed.map((m) => (
          <line key={m.milestone} className="leader" x1={m.x} x2={m.x} y1={layout.axisY} y2={layout.axisY + 18 + m.lane * LANE_HEIGHT} />
        ))}
        {layout.placed.map((m) => {
          const labelY = layout.axisY + 28 + m.lane * LANE_HEIGHT;
          return (
            <g key={m.milestone} className={`milestone ${m.status.toLowerCase()}`} data-milestone={m.milestone}>
              <Marker status={m.status} x={m.x} y={layout.axisY} />
              <text x={m.x + 4} y={labelY} className="label">
                {shortName(m.milestone)}
              </text>
              <text x={m.x + 4} y={labelY + 15} className="sublabel">
                {`day ${m.day} · ${m.dateLabel} · ${words(m.status)}${m.blockedReason ? ` — ${m.blockedReason}` : ''}`}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{caption}</figcaption>
      <table className="milestones">
        <caption>Milestones</caption>
        <thead>
          <tr>
            <th scope="col">Milestone</th>
            <th scope="col">Due</th>
            <th scope="col">Status</th>
            <th scope="col">Owner</th>
            <th scope="col">Why blocked / done</th>
          </tr>
        </thead>
        <tbody>
          {timeline.milestones.map((m) => (
            <tr key={m.milestone} data-milestone={m.milestone}>
              <th scope="row">{milestoneName(m.milestone)}</th>
              <td>{m.dueAt ? formatDate(m.dueAt) : m.dueRule}</td>
              <td>
                <span className={`badge badge-${m.status.toLowerCase()}`}>{m.status}</span>
              </td>
              <td>{m.owner}</td>
              <td>{m.status === 'BLOCKED' ? (m.blockedReason ?? 'blocked') : m.completedAt ? `done ${formatDate(m.completedAt)}` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
