import encodeRequest from 'kafkajs/src/protocol/request';
import { requests } from 'kafkajs/src/protocol/requests';
import SASLAuthenticator from 'kafkajs/src/broker/saslAuthenticator';
import { BrokerContext } from '../broker-context';
import { SUPPORTED_APIS } from '../handlers';
import { resolveOptions } from '../options';
import { ApiKey } from '../protocol/api-keys';
import { ErrorCode } from '../protocol/error-codes';
import { ProtocolError } from '../protocol/reader';
import { createRequestRouter, type RequestRouter } from '../request-router';
import { ConnectionSession } from '../security/connection-session';
import { SaslAuthenticationError, SaslAuthenticator, type SaslMechanism } from '../security/sasl';

/**
 * The broker's SASL server checked without sockets: against the SCRAM-SHA-256 example of
 * RFC 7677 §3 byte for byte, and against kafkajs's own SASL client code (handshake, then
 * SaslAuthenticate requests, or raw tokens after a v0 handshake) through the request router.
 */

const USERS = { user: 'pencil', 'offboarding-retention': 's3cr3t=,with,commas' };

describe('SCRAM server', () => {
  it('reproduces the SCRAM-SHA-256 exchange of RFC 7677 §3', () => {
    const rfc = new SaslAuthenticator(
      { users: { user: 'pencil' }, mechanisms: ['SCRAM-SHA-256'] },
      { salt: () => Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), serverNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' },
    );
    const exchange = rfc.begin('SCRAM-SHA-256');
    const serverFirst = exchange.step(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    expect(serverFirst.response.toString()).toBe('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    expect(serverFirst.principal).toBeUndefined();
    const serverFinal = exchange.step(
      Buffer.from('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='),
    );
    expect(serverFinal).toEqual({ response: Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='), principal: 'user' });
  });

  it('refuses a wrong proof, a changed nonce, channel binding and an unknown user', () => {
    const sasl = new SaslAuthenticator(
      { users: { user: 'pencil' } },
      { salt: () => Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), serverNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' },
    );
    const start = () => {
      const exchange = sasl.begin('SCRAM-SHA-256');
      exchange.step(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
      return exchange;
    };
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    expect(() => start().step(Buffer.from(`c=biws,r=${nonce},p=${Buffer.alloc(32, 1).toString('base64')}`))).toThrow(/invalid credentials with SASL mechanism SCRAM-SHA-256/);
    expect(() => start().step(Buffer.from(`c=biws,r=${nonce}x,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`))).toThrow(/nonce does not match/);
    expect(() => start().step(Buffer.from(`c=eSws,r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`))).toThrow(/channel binding/);
    expect(() => sasl.begin('SCRAM-SHA-256').step(Buffer.from('p=tls-unique,,n=user,r=abc'))).toThrow(/channel binding is not supported/);
    expect(() => sasl.begin('SCRAM-SHA-512').step(Buffer.from('n,,n=nobody,r=abc'))).toThrow(SaslAuthenticationError);
    expect(() => sasl.begin('SCRAM-SHA-512').step(Buffer.from('n,a=admin,n=user,r=abc'))).toThrow(/authorization id/);
  });
});

interface KafkaJsSasl {
  mechanism: string;
  username: string;
  password: string;
}

describe('SASL through the request router, with kafkajs as the client', () => {
  let broker: BrokerContext;
  let route: RequestRouter;
  let correlationId = 0;
  const warnings: string[] = [];

  beforeEach(async () => {
    warnings.length = 0;
    const logger = { info: () => undefined, warn: (msg: string) => void warnings.push(msg), error: (msg: string) => void warnings.push(msg) };
    broker = await BrokerContext.create(resolveOptions({ logger, sasl: { users: USERS } }));
    route = createRequestRouter(broker);
  });
  afterEach(() => broker.closeStores());

  /** A kafkajs connection whose wire is the router: requests in the Kafka format, or raw tokens. */
  function connection(session: ConnectionSession, sasl: KafkaJsSasl) {
    type Protocol = { request: Parameters<typeof encodeRequest>[0]['request']; response: { decode(b: Buffer): Promise<unknown>; parse(d: unknown): Promise<unknown> } };
    return {
      sasl,
      host: 'localhost',
      port: 9092,
      async send({ request, response }: Protocol): Promise<unknown> {
        const frame = (await encodeRequest({ correlationId: ++correlationId, clientId: 'sasl-test', request })).buffer;
        const answer = await route(frame.subarray(4), '/127.0.0.1', session);
        if (answer === null) throw new Error('no answer');
        return response.parse(await response.decode(answer.subarray(8)));
      },
      async sendAuthRequest({ request, response }: { request: { encode(): Promise<Buffer> }; response: { decode(b: Buffer): Promise<unknown>; parse(d: unknown): Promise<unknown> } }): Promise<unknown> {
        const token = await request.encode();
        const answer = await route(token.subarray(4), '/127.0.0.1', session);
        if (answer === null) throw new Error('Connection closed by the server');
        return response.parse(await response.decode(answer));
      },
    };
  }
  const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, namespace: () => silent };
  const versions = (overrides: Partial<Record<number, { minVersion: number; maxVersion: number } | null>> = {}) => {
    const map: Record<number, { minVersion: number; maxVersion: number }> = {};
    for (const api of SUPPORTED_APIS) map[api.apiKey] = api;
    for (const [key, value] of Object.entries(overrides)) {
      if (value) map[Number(key)] = value;
      else delete map[Number(key)];
    }
    return map;
  };
  const metadata = async (session: ConnectionSession) => {
    const { request } = requests.Metadata.protocol({ version: 1 })({ topics: [] });
    return route((await encodeRequest({ correlationId: ++correlationId, clientId: 'sasl-test', request })).buffer.subarray(4), '/x', session);
  };

  it.each<[SaslMechanism, string]>([
    ['PLAIN', 'plain'],
    ['SCRAM-SHA-256', 'scram-sha-256'],
    ['SCRAM-SHA-512', 'scram-sha-512'],
  ])('authenticates kafkajs with %s in SaslAuthenticate requests, and only then serves Metadata', async (mechanism, kafkajsName) => {
    const ended = jest.fn();
    const session = new ConnectionSession(broker.sasl, ended);
    await expect(metadata(session)).rejects.toThrow(ProtocolError);
    const client = connection(session, { mechanism: kafkajsName, username: 'offboarding-retention', password: USERS['offboarding-retention'] });
    await new SASLAuthenticator(client, silent, versions(), true).authenticate();
    expect(session).toMatchObject({ authenticated: true, principal: 'offboarding-retention', mechanism });
    expect(await metadata(session)).not.toBeNull();
    expect(ended).not.toHaveBeenCalled();
    expect(warnings).toEqual([]);
  });

  it('authenticates with raw tokens after a v0 handshake (clients older than KIP-152)', async () => {
    for (const kafkajsName of ['plain', 'scram-sha-512']) {
      const session = new ConnectionSession(broker.sasl);
      const client = connection(session, { mechanism: kafkajsName, username: 'user', password: 'pencil' });
      const legacy = versions({ [ApiKey.SaslHandshake]: { minVersion: 0, maxVersion: 0 }, [ApiKey.SaslAuthenticate]: null });
      await new SASLAuthenticator(client, silent, legacy, false).authenticate();
      expect(session.principal).toBe('user');
    }
  });

  it('answers a wrong password with SASL_AUTHENTICATION_FAILED and its reason, then closes the connection', async () => {
    const ended = jest.fn();
    const session = new ConnectionSession(broker.sasl, ended);
    const client = connection(session, { mechanism: 'scram-sha-512', username: 'user', password: 'wrong' });
    await expect(new SASLAuthenticator(client, silent, versions(), true).authenticate()).rejects.toThrow(
      /SASL SCRAM SHA512 authentication failed: .*invalid credentials with SASL mechanism SCRAM-SHA-512/,
    );
    expect(ended).toHaveBeenCalled();
    expect(session.authenticated).toBe(false);
    expect(warnings).toEqual(['SASL authentication failed']);
  });

  it('refuses a mechanism it does not offer and a handshake where none belongs', async () => {
    const ended = jest.fn();
    const session = new ConnectionSession(broker.sasl, ended);
    const handshake = async (target: ConnectionSession, mechanism: string) => {
      const { request, response } = requests.SaslHandshake.protocol({ version: 1 })({ mechanism });
      const answer = await route((await encodeRequest({ correlationId: ++correlationId, clientId: 'x', request })).buffer.subarray(4), '/x', target);
      return (await response.decode(answer!.subarray(8))) as { errorCode: number; enabledMechanisms: string[] };
    };
    expect(await handshake(session, 'GSSAPI')).toEqual({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, enabledMechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    expect(ended).toHaveBeenCalled();
    expect((await handshake(ConnectionSession.open(), 'PLAIN')).errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
  });
});
