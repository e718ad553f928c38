import { getDomain } from 'tldts';
import { hostOf } from './url';

/**
 * Registrable domain (eTLD+1) from the Public Suffix List, private suffixes included so that
 * each blogspot.com or github.io site counts as its own referring domain. Hosts without one
 * (IP addresses, localhost) stand for themselves. Kept apart from url.ts because the list is
 * large: the popup and content script never load it.
 */
export function registrableDomain(hostOrUrl: string): string {
  const host = hostOrUrl.includes('/') ? hostOf(hostOrUrl) : hostOrUrl;
  return getDomain(host, { allowPrivateDomains: true }) ?? host;
}

/** False for a public suffix itself (com, github.io) and for hosts without one (IPs, localhost). */
export function hasRegistrableDomain(host: string): boolean {
  return getDomain(host, { allowPrivateDomains: true }) !== null;
}
