import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { LocalDirectoryStorage, resolveStorageRoot } from '../local-directory-storage';
import { InvalidObjectKeyError, ObjectNotFoundError } from '../object-storage';

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('LocalDirectoryStorage (filesystem)', () => {
  let root: string;
  let storage: LocalDirectoryStorage;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'storage-test-'));
    storage = new LocalDirectoryStorage(root);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('streams an object in, counting and hashing it, and reads it back', async () => {
    const parts = Array.from({ length: 200 }, (_, i) => `line ${i}\n`);
    const expected = parts.join('');
    const stored = await storage.put('exports/org/one.txt', Readable.from(parts));

    expect(stored).toEqual({
      key: 'exports/org/one.txt',
      size: Buffer.byteLength(expected),
      sha256: createHash('sha256').update(expected).digest('hex'),
    });
    expect(await text(await storage.get('exports/org/one.txt'))).toBe(expected);
    const info = await storage.stat('exports/org/one.txt');
    expect(info).toMatchObject({ key: 'exports/org/one.txt', size: stored.size });
    expect(Number.isFinite(info?.lastModified.getTime())).toBe(true);
    expect(await storage.exists('exports/org/one.txt')).toBe(true);
  });

  it('replaces an object with a buffer and leaves no temporary files behind', async () => {
    await storage.put('a/b.bin', Buffer.from('first'));
    const second = await storage.put('a/b.bin', Buffer.from('second version'));
    expect(second.size).toBe(14);
    expect(await readFile(path.join(root, 'a', 'b.bin'), 'utf8')).toBe('second version');
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('keeps the old object and no partial file when the source stream fails', async () => {
    await storage.put('doc.txt', Buffer.from('intact'));
    const failing = new Readable({
      read() {
        this.push('half of the new ');
        this.destroy(new Error('source broke'));
      },
    });
    await expect(storage.put('doc.txt', failing)).rejects.toThrow('source broke');
    expect(await readFile(path.join(root, 'doc.txt'), 'utf8')).toBe('intact');
    expect(await readdir(path.join(root, '.tmp'))).toEqual([]);
  });

  it('answers missing objects clearly', async () => {
    await expect(storage.get('nothing/here')).rejects.toThrow(ObjectNotFoundError);
    expect(await storage.stat('nothing/here')).toBeNull();
    expect(await storage.exists('nothing/here')).toBe(false);
    expect(await storage.delete('nothing/here')).toBe(false);
  });

  it('deletes an object and the directories it leaves empty, but not the root', async () => {
    await storage.put('org/env/x.json', Buffer.from('{}'));
    await storage.put('org/other.json', Buffer.from('{}'));
    expect(await storage.delete('org/env/x.json')).toBe(true);
    expect(existsSync(path.join(root, 'org', 'env'))).toBe(false);
    expect(existsSync(path.join(root, 'org', 'other.json'))).toBe(true);
    expect(await storage.delete('org/other.json')).toBe(true);
    expect(existsSync(path.join(root, 'org'))).toBe(false);
    expect(existsSync(root)).toBe(true);
  });

  it.each(['../escape.txt', 'a/../../escape.txt', '/tmp/escape.txt', '.tmp/x.part'])('refuses the key %j for every operation', async (key) => {
    await expect(storage.put(key, Buffer.from('x'))).rejects.toThrow(InvalidObjectKeyError);
    await expect(storage.get(key)).rejects.toThrow(InvalidObjectKeyError);
    await expect(storage.stat(key)).rejects.toThrow(InvalidObjectKeyError);
    await expect(storage.delete(key)).rejects.toThrow(InvalidObjectKeyError);
    expect(existsSync(path.join(root, '..', 'escape.txt'))).toBe(false);
  });

  it('takes its root from STORAGE_DIR, else storage under DATA_DIR', () => {
    expect(resolveStorageRoot({ STORAGE_DIR: '/srv/objects' })).toBe('/srv/objects');
    expect(resolveStorageRoot({ DATA_DIR: '/var/lib/offboarding' })).toBe('/var/lib/offboarding/storage');
    expect(resolveStorageRoot({})).toBe(path.resolve('.data', 'storage'));
  });
});
