import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  oauth1Header,
  oauth1Signature,
  oauth1SignatureBaseString,
  parseOAuth1Header,
  percentEncode,
} from '../../../src/auth/oauth1.js';
import { InvalidArgumentError } from '../../../src/errors/index.js';

describe('percentEncode (RFC 5849 §3.6)', () => {
  it('keeps the unreserved set and upper-cases hex', () => {
    expect(percentEncode('abcXYZ019-._~')).toBe('abcXYZ019-._~');
    expect(percentEncode(" !*'()+/=&")).toBe('%20%21%2A%27%28%29%2B%2F%3D%26');
    expect(percentEncode('é☃')).toBe('%C3%A9%E2%98%83');
  });

  it('round-trips through decodeURIComponent for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const enc = percentEncode(s);
        expect(enc).toMatch(/^[A-Za-z0-9\-._~%]*$/);
        expect(decodeURIComponent(enc)).toBe(s);
      }),
    );
  });
});

describe('oauth1SignatureBaseString', () => {
  it('matches RFC 5849 §3.4.1.1 (query, form body, repeated names, default port)', () => {
    const base = oauth1SignatureBaseString(
      'post',
      'http://EXAMPLE.COM:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
      [
        ['oauth_consumer_key', '9djdj82h48djs9d2'],
        ['oauth_token', 'kkk9d7dh3k39sjv7'],
        ['oauth_signature_method', 'HMAC-SHA1'],
        ['oauth_timestamp', '137131201'],
        ['oauth_nonce', '7d8f3e4a'],
        ['oauth_signature', 'ignored'],
        ['realm', 'Example'],
        ['c2', ''],
        ['a3', '2 q'],
      ],
    );
    expect(base).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    );
  });

  it('sorts by encoded name, then encoded value, keeping exact duplicates (§3.4.1.3.2)', () => {
    const params: [string, string][] = [
      ['z', '1'],
      ['a', 'b'],
      ['a', 'a'],
      ['a', 'b'],
      ['é', '1'], // raw U+00E9 sorts after "z"; encoded "%C3%A9" sorts first
      ['a', 'A b'],
    ];
    expect(oauth1SignatureBaseString('GET', 'https://h/p', params)).toBe(
      `GET&https%3A%2F%2Fh%2Fp&${percentEncode('%C3%A9=1&a=A%20b&a=a&a=b&a=b&z=1')}`,
    );
  });

  it('is independent of parameter order, in the query or in the body', () => {
    const pair = fc.tuple(
      fc.constantFrom('a', 'b', 'a b', 'é'),
      fc.constantFrom('', '1', '2', ' '),
    );
    fc.assert(
      fc.property(
        fc
          .array(pair, { maxLength: 8 })
          .chain((pairs) =>
            fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length })),
          ),
        fc.integer({ min: 0, max: 8 }),
        ([pairs, shuffled], split) => {
          const expected = oauth1SignatureBaseString('POST', 'https://h/p', pairs);
          expect(oauth1SignatureBaseString('POST', 'https://h/p', shuffled)).toBe(expected);
          // Moving some pairs into the query string signs the same (§3.4.1.3.1).
          const query = new URLSearchParams(shuffled.slice(0, split)).toString();
          const url = query === '' ? 'https://h/p' : `https://h/p?${query}`;
          expect(oauth1SignatureBaseString('POST', url, shuffled.slice(split))).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps non-default ports and rejects relative URLs', () => {
    expect(oauth1SignatureBaseString('GET', 'https://h:8443/p', {})).toBe(
      'GET&https%3A%2F%2Fh%3A8443%2Fp&',
    );
    expect(() => oauth1SignatureBaseString('GET', '/session', {})).toThrow(InvalidArgumentError);
  });
});

describe('oauth1Signature / oauth1Header known answers', () => {
  const photos = {
    consumerKey: 'dpf43f3p2l4k3l03',
    consumerSecret: 'kd94hf93k423kf44',
    accessToken: 'nnch734d00sl2jdk',
    accessSecret: 'pfkkdhi9sl3r4s00',
  };

  it('reproduces RFC 5849 §1.2 (photos example, no oauth_version)', () => {
    const base = oauth1SignatureBaseString(
      'GET',
      'http://photos.example.net/photos?file=vacation.jpg&size=original',
      {
        oauth_consumer_key: photos.consumerKey,
        oauth_token: photos.accessToken,
        oauth_signature_method: 'HMAC-SHA1',
        oauth_timestamp: '137131202',
        oauth_nonce: 'chapoH',
      },
    );
    expect(oauth1Signature(base, photos.consumerSecret, photos.accessSecret)).toBe(
      'MdpQcU8iPSUjWoN/UDMsK2sui9I=', // header form: MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D,
    );
  });

  it('reproduces OAuth Core 1.0 Appendix A.5 through oauth1Header', () => {
    const header = oauth1Header({
      method: 'GET',
      url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
      ...photos,
      nonce: 'kllo9940pd9333jh',
      timestamp: 1191242096,
      realm: 'http://photos.example.net/',
    });
    const params = parseOAuth1Header(header);
    expect(params['oauth_signature']).toBe('tR3+Ty81lMeYAr/Fid0kMTYa/WM=');
    expect(header).toContain('oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D"');
    expect(header.startsWith('OAuth realm="http://photos.example.net/", ')).toBe(true);
    expect(params).toMatchObject({
      realm: 'http://photos.example.net/',
      oauth_consumer_key: photos.consumerKey,
      oauth_token: photos.accessToken,
      oauth_signature_method: 'HMAC-SHA1',
      oauth_timestamp: '1191242096',
      oauth_nonce: 'kllo9940pd9333jh',
      oauth_version: '1.0',
    });
  });

  it("reproduces Twitter's published signing example (POST with body parameters)", () => {
    const base = oauth1SignatureBaseString(
      'POST',
      'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
      {
        status: 'Hello Ladies + Gentlemen, a signed OAuth request!',
        oauth_consumer_key: 'xvz1evFS4wEEPTGEFPHBog',
        oauth_nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
        oauth_signature_method: 'HMAC-SHA1',
        oauth_timestamp: '1318622958',
        oauth_token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
        oauth_version: '1.0',
      },
    );
    expect(
      oauth1Signature(
        base,
        'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
        'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
      ),
    ).toBe('hCtSmYh+iHYCEqBWrE7C7hYmtUk=');
  });

  it('defaults to a fresh random nonce and the current time', () => {
    const input = { method: 'GET', url: 'https://mdmenrollment.apple.com/session', ...photos };
    const a = parseOAuth1Header(oauth1Header(input));
    const b = parseOAuth1Header(oauth1Header(input));
    expect(a['oauth_nonce']).toMatch(/^[0-9a-f]{32}$/);
    expect(a['oauth_nonce']).not.toBe(b['oauth_nonce']);
    expect(Math.abs(Number(a['oauth_timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(a['realm']).toBeUndefined();
  });

  it('never puts the secrets into the header', () => {
    const header = oauth1Header({
      method: 'GET',
      url: 'https://x/session',
      consumerKey: 'CK_pub',
      consumerSecret: 'CS_secret_canary',
      accessToken: 'AT_tok',
      accessSecret: 'AS_secret_canary',
    });
    expect(header).not.toContain('secret_canary');
  });

  it('rejects a non-numeric timestamp', () => {
    expect(() =>
      oauth1Header({ method: 'GET', url: 'https://x/', ...photos, timestamp: 'soon' }),
    ).toThrow(InvalidArgumentError);
  });
});

describe('parseOAuth1Header', () => {
  it('rejects headers that are not OAuth', () => {
    expect(() => parseOAuth1Header('Bearer abc')).toThrow(InvalidArgumentError);
    expect(() => parseOAuth1Header('OAuth garbage')).toThrow(InvalidArgumentError);
  });
  it('keeps a value with a malformed percent escape verbatim instead of throwing', () => {
    // A verifier then compares the raw text and the signature check fails, as it should.
    expect(parseOAuth1Header('OAuth oauth_nonce="100%", oauth_token="%E0%A4%A", b%zz="1"')).toEqual(
      {
        oauth_nonce: '100%',
        oauth_token: '%E0%A4%A',
        'b%zz': '1',
      },
    );
  });
  it('accepts loose whitespace', () => {
    expect(parseOAuth1Header('OAuth  a="1" ,b="x%20y"')).toEqual({ a: '1', b: 'x y' });
  });
});

describe('oauth1 URL rules', () => {
  it('refuses schemes RFC 5849 does not define a base string URI for', () => {
    expect(() =>
      oauth1SignatureBaseString('GET', 'ftp://example.com/session', { oauth_nonce: 'n' }),
    ).toThrow(/http or https/);
  });
});
