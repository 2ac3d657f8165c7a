import { ConfigError } from '@offboarding/platform';
import { CAMPAIGN_TRANSITIONS } from '../affiliates/affiliate-status';
import { loadProvisioningConfig } from '../config/provisioning-config';
import { ENVIRONMENT_TRANSITIONS, EnvironmentStatus, nextEnvironmentStatus } from '../environments/environment-status';
import { normalizeSiteUrl } from '../licenses/licenses.service';
import { HttpMaskingKeys, MaskingKeyUnavailableError } from '@offboarding/platform';
import { CREDIT_BALANCE_TRANSITIONS, SERVICE_REQUEST_TRANSITIONS } from '../service-contracts/service-contract-status';
import { canTransition, nextStatus } from '../shared/transitions';
import { compareVersions, httpUrl, parseVersion } from '../shared/validation';

describe('resource lifecycles', () => {
  it('walks an environment from provisioning to teardown and nowhere else', () => {
    let status: EnvironmentStatus = EnvironmentStatus.PROVISIONING;
    for (const action of ['activate', 'suspend', 'resume', 'deprovision', 'tearDown'] as const) status = nextEnvironmentStatus(status, action);
    expect(status).toBe('TORN_DOWN');
    expect(() => nextEnvironmentStatus('TORN_DOWN', 'reactivate')).toThrow(/cannot reactivate an environment that is TORN_DOWN/);
    expect(() => nextEnvironmentStatus('ACTIVE', 'tearDown')).toThrow(expect.objectContaining({ code: 'INVALID_TRANSITION' }) as Error);
    expect(canTransition(ENVIRONMENT_TRANSITIONS, 'DEPROVISIONED', 'reactivate')).toBe(true);
  });

  it('never brings an invalidated campaign back', () => {
    for (const action of Object.keys(CAMPAIGN_TRANSITIONS) as (keyof typeof CAMPAIGN_TRANSITIONS)[]) {
      expect(canTransition(CAMPAIGN_TRANSITIONS, 'INVALIDATED', action)).toBe(false);
    }
  });

  it('resolves a service request once and freezes credits reversibly', () => {
    expect(nextStatus('service request', SERVICE_REQUEST_TRANSITIONS, 'IN_REVIEW', 'complete')).toBe('COMPLETED');
    expect(() => nextStatus('service request', SERVICE_REQUEST_TRANSITIONS, 'CANCELLED', 'complete')).toThrow(/cannot complete/);
    expect(nextStatus('credit balance', CREDIT_BALANCE_TRANSITIONS, 'FROZEN', 'unfreeze')).toBe('ACTIVE');
  });
});

describe('plugin inputs', () => {
  it('compares dotted versions numerically', () => {
    expect(compareVersions('2.10.0', '2.9.9')).toBe(1);
    expect(compareVersions('2.1', '2.1.0')).toBe(0);
    expect(compareVersions('1.0.0', '1.0.1')).toBe(-1);
    expect(() => parseVersion('version', '2.x')).toThrow(/version/);
  });

  it('identifies a site by origin and path without a trailing slash', () => {
    expect(normalizeSiteUrl('https://Shop.Example.com/blog/')).toBe('https://shop.example.com/blog');
    expect(normalizeSiteUrl('https://shop.example.com')).toBe('https://shop.example.com');
    expect(() => httpUrl('site', 'ftp://files.example.com')).toThrow(/http or https/);
    expect(() => httpUrl('site', 'not a url')).toThrow(/absolute URL/);
  });
});

describe('provisioning configuration', () => {
  it('has defaults for everything and names a bad variable', () => {
    expect(loadProvisioningConfig({})).toMatchObject({ eduSeatsPerEntitlement: 10, storage: { driver: 'local' } });
    expect(loadProvisioningConfig({ STORAGE_DIR: '/srv/exports' }).storage).toEqual({ driver: 'local', root: '/srv/exports' });
    expect(() => loadProvisioningConfig({ STORAGE_DRIVER: 'ftp' })).toThrow('invalid configuration for provisioning: STORAGE_DRIVER: must be local or s3, got "ftp"');
    expect(() => loadProvisioningConfig({ EXPORT_URL_TTL_SECONDS: '1' })).toThrow(ConfigError);
    expect(() => loadProvisioningConfig({ EDU_SEATS_PER_ENTITLEMENT: '0' })).toThrow(/EDU_SEATS_PER_ENTITLEMENT/);
  });
});

describe('HttpMaskingKeys', () => {
  const config = { retentionInternalUrl: 'http://retention:4004', maskingKeyTimeoutMs: 1000, internalApiToken: 'development-internal-token' };
  const answering = (status: number, body: unknown) => {
    const calls: string[] = [];
    const fetchImpl = ((url: string) => {
      calls.push(url);
      return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));
    }) as typeof fetch;
    return { calls, keys: new HttpMaskingKeys(config, fetchImpl) };
  };

  it('fetches the key by its reference from the retention service', async () => {
    const key = Buffer.alloc(32, 9);
    const { calls, keys } = answering(200, { key: key.toString('base64') });
    expect(await keys.resolve('masking-key/abc')).toEqual(key);
    expect(calls).toEqual(['http://retention:4004/internal/masking-keys/masking-key%2Fabc']);
  });

  it.each([
    [404, { error: 'gone' }, /answered 404/],
    [200, { key: 'not base64!' }, /no base64 key/],
    [200, { key: Buffer.alloc(16).toString('base64') }, /shorter than 256 bits/],
  ])('refuses an answer %i %j', async (status, body, message) => {
    await expect(answering(status, body).keys.resolve('r')).rejects.toThrow(message);
  });

  it('reports an unreachable retention service without the key or a stack in the message', async () => {
    const keys = new HttpMaskingKeys(config, () => Promise.reject(new Error('connect ECONNREFUSED')));
    await expect(keys.resolve('r')).rejects.toThrow(MaskingKeyUnavailableError);
  });
});
