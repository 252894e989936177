import { describe, expect, it } from 'vitest';
import { redactString, redactValue } from '../../src/internal/redact.js';

const HEADER =
  'OAuth realm="ADM", oauth_consumer_key="CK_0123456789abcdef", oauth_token="AT_canarySECRETtoken0001", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_nonce="n0nce", oauth_version="1.0", oauth_signature="c2lnbmF0dXJlU0VDUkVU"';

describe('redaction keeps the advice', () => {
  it('redacts an OAuth header value, not the words after the word OAuth in a sentence', () => {
    const message =
      'Apple refused the OAuth login (HTTP 401 timestamp_refused): check the server clock (enable NTP).';
    expect(redactString(message)).toBe(message);
    const logged = redactString(`Authorization: ${HEADER}\r\nNext: keep this advice`);
    expect(logged).not.toContain('canarySECRET');
    expect(logged).not.toContain('c2lnbmF0dXJlU0VDUkVU');
    expect(logged).toContain('[REDACTED]');
    expect(logged).toContain('Next: keep this advice');
  });

  it('redacts unquoted OAuth parameters and keeps the sentence around them', () => {
    const out = redactString(
      'request failed (oauth_token=AT_canarySECRETtoken0001&oauth_signature=abcSECRETdef); retry after checking the firewall',
    );
    expect(out).not.toContain('canarySECRET');
    expect(out).not.toContain('abcSECRETdef');
    expect(out).toContain('retry after checking the firewall');
  });

  it('an error carrying a header in its message keeps its advice when logged', () => {
    const err = new Error(`Apple refused the OAuth login with ${HEADER}. Check the server clock.`);
    const out = JSON.stringify(redactValue(err));
    expect(out).not.toContain('canarySECRET');
    expect(out).toContain('Check the server clock.');
    expect(out).toContain('Apple refused the OAuth login with');
  });
});
