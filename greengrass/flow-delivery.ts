// Puts the flows and flow credentials of a deployment into Node-RED's user folder before Node-RED starts, so that
// nothing has to be posted to an editor that may not be listening yet.
//
// The deployment is the source of truth only for what it changes: flows edited in the editor on one device stay
// until a deployment brings different flows or credentials (a fingerprint of the last delivery tells them apart).
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const FLOWS_FILE = 'flows.json';
export const CREDENTIALS_FILE = 'flows_cred.json';
const SECRET_FILE = '.credential-secret';
const DELIVERED_FILE = '.delivered-flows.sha256';

interface Delivery {
  flows: unknown[];
  credentials: Record<string, Record<string, unknown>>;
}

/** Writes a file so that a crash leaves the old or the new content, never half of one. */
export function writeFileAtomically(file: string, content: string, mode = 0o600): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  renameSync(temporary, file);
}

/**
 * The key of Node-RED's credentials file: made once on the device and kept in the user folder (owner only), so
 * that it is in no deployment, flow or log.
 */
export function credentialSecret(userDir: string): string {
  const file = path.join(userDir, SECRET_FILE);
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) return secret;
  }
  const secret = randomBytes(32).toString('hex');
  writeFileAtomically(file, `${secret}\n`);
  return secret;
}

/** Node-RED's encrypted credentials format: aes-256-ctr, key sha256(secret), hex IV then base64 ciphertext. */
function encryptCredentials(secret: string, credentials: Record<string, unknown>): { $: string } {
  const key = createHash('sha256').update(secret).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return { $: iv.toString('hex') + cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64') };
}

function fingerprint(delivery: Delivery): string {
  return createHash('sha256').update(JSON.stringify([delivery.flows, delivery.credentials])).digest('hex');
}

/** Returns true when it wrote the delivery, false when the device already had it. */
export function deliverFlows(userDir: string, delivery: Delivery, secret: string): boolean {
  mkdirSync(userDir, { recursive: true, mode: 0o700 });
  chmodSync(userDir, 0o700);
  const stamp = path.join(userDir, DELIVERED_FILE);
  const wanted = fingerprint(delivery);
  const delivered = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
  if (delivered === wanted && existsSync(path.join(userDir, FLOWS_FILE))) return false;
  writeFileAtomically(path.join(userDir, FLOWS_FILE), JSON.stringify(delivery.flows, null, 2));
  writeFileAtomically(path.join(userDir, CREDENTIALS_FILE), JSON.stringify(encryptCredentials(secret, delivery.credentials)));
  writeFileAtomically(stamp, `${wanted}\n`);
  return true;
}
