/**
 * Quick start: the ABM server-token exchange, end to end, on one machine.
 *
 *   npx tsup && node --import tsx examples/quick-start.ts
 *
 * In production, step 2 happens in Apple Business Manager: the admin uploads
 * `certificatePem` to an MDM server and downloads the `*_smime.p7m` token file.
 */
import { decryptServerToken, generateKeyPair, isAbmError, tokenHealth } from 'abmkit';
// ABM's side of the exchange (making a token file) is a test tool: it lives in abmkit/testing.
import { encryptServerToken } from 'abmkit/testing';

// 1. The MDM generates a key pair. Keep the private key secret (and keep it for renewals).
const { privateKeyPem, certificatePem } = await generateKeyPair({ commonName: 'my-mdm' });

// 2. ABM encrypts a token to the uploaded certificate. Here we play ABM, with fake credentials.
const tokenFile = await encryptServerToken(
  {
    consumerKey: 'CK_example',
    consumerSecret: 'CS_example-secret',
    accessToken: 'AT_example-token',
    accessSecret: 'AS_example-secret',
    accessTokenExpiry: new Date(Date.now() + 365 * 86_400_000),
  },
  certificatePem,
);
console.log(`${tokenFile.split('\n').slice(0, 6).join('\n')}\n…\n`);

// 3. The MDM decrypts the file the admin hands over.
try {
  const token = await decryptServerToken(tokenFile, privateKeyPem);
  console.log(token); // secrets print as [REDACTED]; code can still read token.accessSecret
  console.log(tokenHealth(token)); // { status: 'valid', expiresAt: …, daysLeft: 364 }
} catch (error) {
  // Every failure is an AbmError with a stable code, e.g. TOKEN_DECRYPT_FAILED for a wrong key.
  if (isAbmError(error)) console.error(`${error.code}: ${error.message}`);
  throw error;
}
