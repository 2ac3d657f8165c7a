import { formatLine } from '../stack';

describe('embedded stack log lines', () => {
  it('prints JSON logs as one readable prefixed line with their context', () => {
    const line = JSON.stringify({ level: 'warn', time: 't', service: 'provisioning', msg: 'retrying', attempt: 2 });
    expect(formatLine('provisioning', line)).toBe('[provisioning]  warn  retrying {"attempt":2}');
  });

  it('passes other output through, prefixed', () => {
    expect(formatLine('kafka', 'dev kafka broker listening on localhost:9092')).toBe('[kafka]         dev kafka broker listening on localhost:9092');
    expect(formatLine('gateway', '{not json')).toBe('[gateway]       {not json');
  });
});
