// The TOTP helper against the SHA-1 test vectors of RFC 6238, appendix B (last 6 of 8 digits).
// Needs neither a browser nor a server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hotp, totp, timeStep } from './lib/totp.js';

const RFC_SECRET_HEX = Buffer.from('12345678901234567890', 'ascii').toString('hex');

test('TOTP matches the RFC 6238 SHA-1 vectors', () => {
  const vectors = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];
  for (const [seconds, eight] of vectors) {
    assert.equal(totp(RFC_SECRET_HEX, { timeMs: seconds * 1000, digits: 8 }), eight, `T=${seconds}`);
    assert.equal(totp(RFC_SECRET_HEX, { timeMs: seconds * 1000 }), eight.slice(2), `T=${seconds}, 6 digits`);
  }
});

test('HOTP matches the RFC 4226 vectors', () => {
  const key = Buffer.from('12345678901234567890', 'ascii');
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  expected.forEach((code, counter) => assert.equal(hotp(key, counter), code, `counter ${counter}`));
});

test('time steps are 30 seconds and bad secrets are refused', () => {
  assert.equal(timeStep(29_999), 0);
  assert.equal(timeStep(30_000), 1);
  assert.throws(() => totp('xyz'), /hex/);
  assert.throws(() => totp(''), /hex/);
});
