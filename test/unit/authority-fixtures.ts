import type { LinkRecord } from '../../src/core/types';
import { seededRandom } from '../bench/random';
import { makeLink } from './helpers';

/**
 * A random link graph of `pages` pages on a quarter as many sites, each with up to `maxOut`
 * out-links, skewed towards low page numbers (so in-degree is uneven, as on the web).
 */
export function randomLinks(seed: number, pages: number, maxOut: number): LinkRecord[] {
  const random = seededRandom(seed);
  const url = (i: number) => `https://site${i % Math.ceil(pages / 4)}.com/p${i}`;
  const links: LinkRecord[] = [];
  for (let i = 0; i < pages; i++) {
    const out = Math.floor(random() * (maxOut + 1));
    for (let k = 0; k < out; k++) {
      links.push(makeLink(url(i), url(Math.floor(random() ** 2 * pages))));
    }
  }
  return links;
}
