import type { GraphQLRequestContextWillSendResponse, GraphQLRequestListener } from '@apollo/server';
import { MAX_OPERATION_LABELS, Metrics, OperationLabels } from '../observability/metrics';

describe('bounded operation labels', () => {
  it('keeps the first names it sees and counts later and malformed ones as other', () => {
    const labels = new OperationLabels(2);
    expect([labels.of('Login'), labels.of('Organization'), labels.of('Login'), labels.of('Invented1'), labels.of(null), labels.of('not valid!')]).toEqual([
      'Login',
      'Organization',
      'Login',
      'other',
      'anonymous',
      'other',
    ]);
  });

  it('never gives graphql_operations_total more operation series than the bound, however many names clients invent', async () => {
    const metrics = new Metrics('test');
    const plugin = metrics.apolloPlugin();
    for (let i = 0; i < MAX_OPERATION_LABELS + 50; i += 1) {
      const listener = (await plugin.requestDidStart!({} as never)) as GraphQLRequestListener<never>;
      await listener.willSendResponse!({ operationName: `Invented${i}`, errors: undefined, response: { body: { kind: 'single', singleResult: {} } } } as unknown as GraphQLRequestContextWillSendResponse<never>);
    }
    const { values } = (await metrics.registry.getSingleMetric('graphql_operations_total')!.get()) as unknown as { values: { labels: { operation: string }; value: number }[] };
    const operations = new Set(values.map((value) => value.labels.operation));
    expect(operations.size).toBe(MAX_OPERATION_LABELS + 1);
    expect(values.find((value) => value.labels.operation === 'other')?.value).toBe(50);
  });
});
