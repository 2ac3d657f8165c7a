import { createKafka, defaultBrokers } from '../kafka';
import type { MessagingLogger } from '../logger';

describe('createKafka', () => {
  it('takes brokers from KAFKA_BROKERS, else localhost:9092', () => {
    expect(defaultBrokers({ KAFKA_BROKERS: ' a:9092, b:9093 ,' })).toEqual(['a:9092', 'b:9093']);
    expect(defaultBrokers({ KAFKA_BROKERS: '' })).toEqual(['localhost:9092']);
    expect(defaultBrokers({})).toEqual(['localhost:9092']);
  });

  it('sends kafkajs logs to our logger with their context and level', () => {
    const logger: MessagingLogger = { debug: jest.fn(), info: jest.fn(), warn: jest.fn(), error: jest.fn() };
    const kafka = createKafka({ clientId: 'test', brokers: ['localhost:1'], logger });
    kafka.logger().error('broker gone', { broker: 'localhost:1' });
    kafka.logger().warn('Limiting retries for the idempotent producer may invalidate EoS guarantees');
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({ broker: 'localhost:1' }),
      'broker gone',
    );
    expect(logger.error).not.toHaveBeenCalledWith(expect.objectContaining({ timestamp: expect.anything() }), expect.anything());
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.debug).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/^Limiting retries/));
  });
});
