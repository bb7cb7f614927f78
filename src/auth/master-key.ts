// Owns the home's master key file (32 random bytes, mode 0600) and sealing API key secrets with it
// (AES-256-GCM). A copied database alone then reveals no secret; see docs/api.md for the threat model.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SkulensError, reasonOf } from '../errors.js';
import type { HomeLayout } from '../home/index.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = 'v1';

/** Where the master key of `home` lives: `<home>/secrets/master.key`. */
export function masterKeyPath(home: HomeLayout): string {
  return path.join(home.root, 'secrets', 'master.key');
}

/**
 * Reads the master key of `home`, creating it on first use. Creation writes a 0600 temp file and
 * hard-links it into place, so two processes racing to create it end up sharing the first one's key.
 */
export function loadMasterKey(home: HomeLayout): Buffer {
  const file = masterKeyPath(home);
  try {
    return readKey(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeSync(fd, randomBytes(KEY_BYTES));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return readKey(file);
}

function readKey(file: string): Buffer {
  const key = fs.readFileSync(file);
  if (key.length !== KEY_BYTES) throw new SkulensError('ERR_MASTER_KEY_INVALID', { path: file, detail: `it holds ${key.length} bytes, expected ${KEY_BYTES}` });
  return key;
}

/** Seals `secret` with AES-256-GCM; `keyId` is bound as associated data, so a sealed secret cannot be moved to another key row. */
export function sealSecret(masterKey: Buffer, keyId: string, secret: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(Buffer.from(keyId, 'utf8'));
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), sealed.toString('base64')].join(':');
}

/** Opens a secret sealed by {@link sealSecret}; a wrong master key or a tampered row throws ERR_MASTER_KEY_INVALID. */
export function openSecret(masterKey: Buffer, keyId: string, sealed: string, file = 'master.key'): string {
  const [format, iv, tag, data] = sealed.split(':');
  try {
    if (format !== FORMAT || !iv || !tag || data === undefined) throw new Error(`unknown sealed format "${format}"`);
    const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(keyId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new SkulensError('ERR_MASTER_KEY_INVALID', { path: file, detail: `cannot open the secret of key ${keyId} (${reasonOf(error)}); was the key file replaced?` }, { cause: error });
  }
}
