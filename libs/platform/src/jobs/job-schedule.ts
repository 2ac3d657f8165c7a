/**
 * How often a cron schedule (five fields, UTC) fires, for the forms the CronJobs use: every N
 * minutes (`*\/10 * * * *`), hourly at a minute (`15 * * * *`), every N hours (`5 *\/6 * * *`)
 * and daily (`30 3 * * *`). Anything else is refused when the job is registered, so monitoring
 * always knows what "on schedule" means.
 */
export function scheduleIntervalSeconds(schedule: string): number {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`schedule "${schedule}" must have five fields (minute hour day month weekday)`);
  const [minute, hour, day, month, weekday] = fields;
  if (day !== '*' || month !== '*' || weekday !== '*') throw new Error(`schedule "${schedule}": only daily or more frequent schedules are supported`);
  const fixed = (value: string, max: number) => /^\d+$/.test(value) && Number(value) <= max;
  const every = (value: string) => /^\*\/(\d+)$/.exec(value)?.[1];
  const everyMinutes = every(minute);
  if (everyMinutes !== undefined && hour === '*' && 60 % Number(everyMinutes) === 0 && Number(everyMinutes) > 0) return Number(everyMinutes) * 60;
  if (fixed(minute, 59) && hour === '*') return 3600;
  const everyHours = every(hour);
  if (fixed(minute, 59) && everyHours !== undefined && 24 % Number(everyHours) === 0 && Number(everyHours) > 0) return Number(everyHours) * 3600;
  if (fixed(minute, 59) && fixed(hour, 23)) return 86_400;
  throw new Error(`schedule "${schedule}": use */N minutes, M * (hourly), M */N (every N hours) or M H (daily)`);
}
