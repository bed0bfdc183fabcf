/**
 * Buckets and objects, in memory, optionally written through to a folder so they survive restarts.
 * On disk a bucket is a folder named after it (bucket names are checked, so never `..`); an object
 * is two files named after the SHA-256 of its key, so a key can never name a path.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An object as stored. */
export interface StoredObject {
  readonly key: string;
  readonly body: Buffer;
  /** The MD5 of the body in hex, unquoted. */
  readonly etag: string;
  readonly lastModified: number;
  readonly contentType: string;
  /** User metadata, the `x-amz-meta-` prefix removed, names in lower case. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Stored representation headers: cache-control, content-disposition, content-encoding... */
  readonly headers: Readonly<Record<string, string>>;
}

interface Bucket {
  readonly created: number;
  readonly objects: Map<string, StoredObject>;
}

type ObjectMeta = Omit<StoredObject, 'body'>;

/** Bucket names S3 accepts (general purpose buckets). */
export function isValidBucketName(name: string): boolean {
  return (
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.endsWith('-s3alias')
  );
}

/** Key order as S3 lists it: by UTF-8 bytes. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const fileOf = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/** The stand-in's buckets and objects. */
export class ObjectStore {
  readonly #buckets = new Map<string, Bucket>();

  private constructor(readonly dir: string | undefined) {}

  /** A store, with what `dir` holds when given. */
  static async open(dir?: string): Promise<ObjectStore> {
    const store = new ObjectStore(dir);
    if (dir !== undefined) {
      await mkdir(dir, { recursive: true });
      await store.#load(dir);
    }
    return store;
  }

  hasBucket(name: string): boolean {
    return this.#buckets.has(name);
  }

  /** Every bucket and when it was created, by name. */
  buckets(): { name: string; created: number }[] {
    return [...this.#buckets.entries()]
      .map(([name, bucket]) => ({ name, created: bucket.created }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async createBucket(name: string, now: number): Promise<void> {
    if (this.#buckets.has(name)) return;
    this.#buckets.set(name, { created: now, objects: new Map() });
    if (this.dir !== undefined) {
      await mkdir(join(this.dir, name, 'objects'), { recursive: true });
      await writeAtomic(join(this.dir, name, 'bucket.json'), JSON.stringify({ created: now }));
    }
  }

  isEmpty(bucket: string): boolean {
    return (this.#buckets.get(bucket)?.objects.size ?? 0) === 0;
  }

  async deleteBucket(name: string): Promise<void> {
    this.#buckets.delete(name);
    if (this.dir !== undefined) await rm(join(this.dir, name), { recursive: true, force: true });
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.#buckets.get(bucket)?.objects.get(key);
  }

  /** Every key of a bucket, in S3's order. */
  keys(bucket: string): string[] {
    return [...(this.#buckets.get(bucket)?.objects.keys() ?? [])].sort(compareKeys);
  }

  async put(bucket: string, object: StoredObject): Promise<void> {
    const objects = this.#buckets.get(bucket)?.objects;
    if (objects === undefined) throw new Error(`no bucket ${bucket}`);
    objects.set(object.key, object);
    if (this.dir !== undefined) {
      const base = join(this.dir, bucket, 'objects', fileOf(object.key));
      const { body, ...meta } = object;
      await writeAtomic(`${base}.bin`, body);
      await writeAtomic(`${base}.json`, JSON.stringify(meta satisfies ObjectMeta));
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    const objects = this.#buckets.get(bucket)?.objects;
    if (objects === undefined || !objects.delete(key)) return;
    if (this.dir !== undefined) {
      const base = join(this.dir, bucket, 'objects', fileOf(key));
      await rm(`${base}.json`, { force: true });
      await rm(`${base}.bin`, { force: true });
    }
  }

  async #load(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const bucketFile = join(dir, entry.name, 'bucket.json');
      if (!entry.isDirectory() || !isValidBucketName(entry.name) || !existsSync(bucketFile)) continue;
      const { created } = JSON.parse(await readFile(bucketFile, 'utf8')) as { created: number };
      const objects = new Map<string, StoredObject>();
      const objectsDir = join(dir, entry.name, 'objects');
      const files = existsSync(objectsDir) ? await readdir(objectsDir) : [];
      for (const file of files.filter((name) => name.endsWith('.json'))) {
        const base = join(objectsDir, file.slice(0, -'.json'.length));
        if (!existsSync(`${base}.bin`)) continue;
        const meta = JSON.parse(await readFile(`${base}.json`, 'utf8')) as ObjectMeta;
        objects.set(meta.key, { ...meta, body: await readFile(`${base}.bin`) });
      }
      this.#buckets.set(entry.name, { created, objects });
    }
  }
}

let writes = 0;

/** Writes a file whole or not at all: into a temporary name first, then renamed over. */
async function writeAtomic(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.${process.pid}.${++writes}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}
