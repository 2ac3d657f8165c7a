import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { root } from './deployment-contract';

// The PrometheusRule and the Grafana dashboard of k8s/components/monitoring: every alert is
// unit-tested with `promtool test rules` (Debian's prometheus package; CI installs it), and every
// metric a rule or a panel reads is one the services register.

const MONITORING = path.join(root, 'k8s/components/monitoring');

function promtoolInstalled(): boolean {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  return !probe.error && probe.status === 0;
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}
const rules = (): Rule[] => {
  const resource = parse(fs.readFileSync(path.join(MONITORING, 'prometheusrule.yaml'), 'utf8')) as { spec: { groups: { rules: Rule[] }[] } };
  return resource.spec.groups.flatMap((group) => group.rules);
};

/** Metric names the code registers: Metrics' own, and every gauge registered on scrape. */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '__tests__' && entry.name !== 'node_modules') walk(file);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !/\.(spec|int-spec|pg-spec)\.ts$/.test(entry.name)) {
        const source = fs.readFileSync(file, 'utf8');
        for (const match of source.matchAll(/(?:gauge|labelledGauge)\(\s*'([a-z_]+)'/g)) names.add(match[1]);
        for (const match of source.matchAll(/new (Counter|Gauge|Histogram)\(\{\s*name: '([a-z_]+)'/g)) {
          names.add(match[2]);
          if (match[1] === 'Histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${match[2]}${suffix}`);
        }
      }
    }
  };
  walk(path.join(root, 'libs'));
  walk(path.join(root, 'apps'));
  return names;
}

/** The platform's metric names a PromQL expression reads. */
function metricsIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b((?:offboarding|graphql)_[a-z_]+)\b/g)].map((match) => match[1]))];
}

describe('alerts and dashboard of the offboarding platform', () => {
  const exported = exportedMetrics();

  it('reads only metrics the services export, in every rule and every dashboard panel', () => {
    expect(exported).toEqual(expect.any(Set));
    expect(exported.has('offboarding_outbox_oldest_age_seconds')).toBe(true);
    const alerts = rules().filter((rule) => rule.alert);
    expect(alerts.map((rule) => rule.alert).sort()).toEqual(
      [
        'OffboardingConsumerLagGrowing',
        'OffboardingConsumerLagHigh',
        'OffboardingDeadLetters',
        'OffboardingGraphQLErrorRatio',
        'OffboardingHigh5xxRate',
        'OffboardingJobNeverSucceeded',
        'OffboardingJobNotSucceeding',
        'OffboardingMilestoneBlocked',
        'OffboardingOutboxRelayFailing',
        'OffboardingOutboxStale',
      ].sort(),
    );
    for (const rule of alerts) {
      const read = metricsIn(rule.expr);
      expect({ alert: rule.alert, reads: read.length > 0 }).toEqual({ alert: rule.alert, reads: true });
      expect({ alert: rule.alert, unknown: read.filter((name) => !exported.has(name)) }).toEqual({ alert: rule.alert, unknown: [] });
    }
    const dashboard = JSON.parse(fs.readFileSync(path.join(MONITORING, 'dashboards/offboarding-pipeline.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        expect({ panel: panel.title, unknown: metricsIn(target.expr).filter((name) => !exported.has(name)) }).toEqual({ panel: panel.title, unknown: [] });
      }
    }
  });

  (process.env.CI || promtoolInstalled() ? it : it.skip)('passes `promtool check rules` and every case of `promtool test rules`', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'offboarding-rules-'));
    try {
      const resource = parse(fs.readFileSync(path.join(MONITORING, 'prometheusrule.yaml'), 'utf8')) as { spec: { groups: unknown[] } };
      fs.writeFileSync(path.join(dir, 'prometheusrule.rules.yaml'), stringify({ groups: resource.spec.groups }));
      fs.copyFileSync(path.join(MONITORING, 'prometheusrule.test.yaml'), path.join(dir, 'prometheusrule.test.yaml'));
      const check = spawnSync('promtool', ['check', 'rules', path.join(dir, 'prometheusrule.rules.yaml')], { encoding: 'utf8' });
      expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({ status: 0, output: expect.stringContaining(`SUCCESS: ${rules().length} rules found`) });
      const test = spawnSync('promtool', ['test', 'rules', path.join(dir, 'prometheusrule.test.yaml')], { encoding: 'utf8' });
      expect({ status: test.status, output: test.stdout + test.stderr }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
      // Every alert has at least one case that expects it to fire.
      const cases = parse(fs.readFileSync(path.join(MONITORING, 'prometheusrule.test.yaml'), 'utf8')) as {
        tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
      };
      const fired = new Set(cases.tests.flatMap((test) => test.alert_rule_test.filter((check) => check.exp_alerts.length > 0).map((check) => check.alertname)));
      expect([...fired].sort()).toEqual(rules().map((rule) => rule.alert!).sort());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
