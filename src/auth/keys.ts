// API keys: creation (an id like an AWS access key id and a random secret shown once), listing,
// deletion, Bearer checks against a SHA-256 of the secret, and the secret itself for SigV4.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SkulensError } from '../errors.js';
import type { HomeLayout } from '../home/index.js';
import type { KeyRole, Registry } from '../registry/index.js';
import { DEFAULT_ROLE } from './roles.js';
import { loadMasterKey, masterKeyPath, openSecret, sealSecret } from './master-key.js';

/** A new key; the secret exists only in this object and, sealed, in the database. */
export interface CreatedKey {
  id: string;
  secret: string;
  role: KeyRole;
  description: string | null;
}

export interface KeySummary {
  id: string;
  role: KeyRole;
  description: string | null;
  createdAt: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** 20 characters, upper case, like an AWS access key id, so tools that check its shape accept it. */
const KEY_ID = /^SKL[A-Z2-7]{17}$/;

function newKeyId(): string {
  const bytes = randomBytes(17);
  return `SKL${Array.from(bytes, (b) => BASE32[b & 31]).join('')}`;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
const NO_SECRET = randomBytes(32);

/** The keys of one home. The master key file is read (or created) on first need. */
export class KeyStore {
  private masterKey?: Buffer;

  constructor(
    private readonly registry: Registry,
    private readonly home: HomeLayout,
  ) {}

  /** Makes a key (role detect unless given). Print its secret once: it cannot be shown again. */
  create(description: string | null = null, role: KeyRole = DEFAULT_ROLE): CreatedKey {
    const id = newKeyId();
    // 30 random bytes: 240 bits, so a fast hash is enough for Bearer checks (nothing to brute-force).
    const secret = randomBytes(30).toString('base64url');
    this.registry.keys.add({ id, role, secretSha256: sha256(secret).toString('hex'), secretSealed: sealSecret(this.master(), id, secret), description });
    return { id, secret, role, description };
  }

  list(): KeySummary[] {
    return this.registry.keys.list();
  }

  /** Deletes a key; requests signed with it fail from then on. */
  delete(id: string): void {
    if (!this.registry.keys.delete(id)) throw new SkulensError('ERR_API_KEY_NOT_FOUND', { key: id });
  }

  /** True when `id` names a key and `secret` is its secret (constant-time comparison). */
  checkSecret(id: string, secret: string): boolean {
    const key = KEY_ID.test(id) ? this.registry.keys.find(id) : undefined;
    // An unknown id is compared against a hash no secret has, so it costs what a wrong secret does.
    const same = timingSafeEqual(sha256(secret), key ? Buffer.from(key.secretSha256, 'hex') : NO_SECRET);
    return key !== undefined && same;
  }

  /** The role of key `id`; undefined for an unknown key. */
  roleOf(id: string): KeyRole | undefined {
    return KEY_ID.test(id) ? this.registry.keys.find(id)?.role : undefined;
  }

  /** The secret of key `id`, for recomputing a SigV4 signature; undefined for an unknown key. */
  secretOf(id: string): string | undefined {
    if (!KEY_ID.test(id)) return undefined;
    const key = this.registry.keys.find(id);
    return key && openSecret(this.master(), id, key.secretSealed, masterKeyPath(this.home));
  }

  private master(): Buffer {
    return (this.masterKey ??= loadMasterKey(this.home));
  }
}
