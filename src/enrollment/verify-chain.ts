import type { X509Certificate } from 'node:crypto';
import { untrusted } from './fail.js';
import { MAX_CHAIN_LENGTH } from './limits.js';

function issues(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Walks from the signer's certificate to one of `anchors`, through CA certificates of the bag,
 * by signature only (validity windows ignored: Apple's device CAs expired and still issue). A
 * certificate of the bag is never an anchor, however it is named. Returns the anchor reached.
 * @internal
 */
export function verifyChain(
  leaf: X509Certificate,
  bag: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
): X509Certificate {
  let current = leaf;
  const used = new Set<X509Certificate>([leaf]);
  for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
    const anchor = anchors.find((a) => issues(a, current));
    if (anchor !== undefined) return anchor;
    const next = bag.find((c) => !used.has(c) && c.ca && issues(c, current));
    if (next === undefined) break;
    used.add(next);
    current = next;
  }
  return untrusted(
    `The signer's certificate (issued by "${leaf.issuer.replace(/\n/g, ', ').slice(0, 160)}") does not chain to a trusted device CA.`,
    'chain',
  );
}
