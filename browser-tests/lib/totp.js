// TOTP codes (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) with node:crypto only, so the
// browser tests can log staff in with a second factor computed the way an authenticator app does.

import { createHmac } from 'node:crypto';

export const STEP_SECONDS = 30;

/** The time step (RFC 6238 "T") that `timeMs` falls in. */
export function timeStep(timeMs = Date.now(), stepSeconds = STEP_SECONDS) {
  return Math.floor(timeMs / 1000 / stepSeconds);
}

/** HOTP (RFC 4226) of `key` (a Buffer) at `counter`, as a zero-padded string of `digits`. */
export function hotp(key, counter, digits = 6) {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The key bytes of a secret given as hex (as the test server passes it). */
export function keyFromHex(hex) {
  if (typeof hex !== 'string' || hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw new Error(`TOTP secret must be a non-empty even-length hex string, got ${JSON.stringify(hex)}`);
  }
  return Buffer.from(hex, 'hex');
}

/** The TOTP code for a hex secret at `timeMs` (default: now). */
export function totp(secretHex, { timeMs = Date.now(), digits = 6, stepSeconds = STEP_SECONDS } = {}) {
  return hotp(keyFromHex(secretHex), timeStep(timeMs, stepSeconds), digits);
}
