/**
 * Where on its page a link sits, judged the way content-extraction tools judge the article
 * block (Readability, boilerpipe, jusText): landmarks, id/class hints read as words, and the
 * text and link density of the link's own block. Pure DOM reading of textContent, no layout,
 * so it runs in the content script and in Node alike. Measured on real saved pages by
 * test/bench/placement.ts.
 */
import type { LinkRegion } from './types';

/**
 * Words of an id or class that say what a block is. Read as whole words ("comments", not
 * "commented"; "nav" in "site-nav", not in "canvas"), with camelCase split ("articleBody").
 */
const NEGATIVE_WORDS: ReadonlyArray<[LinkRegion, readonly string[]]> = [
  ['comments', ['comment', 'comments', 'disqus', 'replies', 'reply', 'respond', 'discussion']],
  [
    'nav',
    [
      'nav',
      'navbar',
      'topnav',
      'subnav',
      'sidenav',
      'mainnav',
      'menubar',
      'navigation',
      'menu',
      'breadcrumb',
      'breadcrumbs',
      'pagination',
      'pager',
      'prev',
      'next',
      'tags',
      'tagcloud',
      'keywords',
      'topics',
      'labels',
      'categories',
      'category',
      'terms',
    ],
  ],
  [
    'header',
    [
      'header',
      'masthead',
      'byline',
      'dateline',
      'author',
      'meta',
      'submitted',
      'postinfo',
      'posted', // "posted-on", TypePad's "Posted by: … | date" line
      'utility', // "entry-utility": the post's categories, tags and permalink
    ],
  ],
  ['footer', ['footer', 'copyright', 'colophon', 'cookie', 'cookies', 'consent', 'gdpr']],
  [
    'aside',
    [
      'sidebar',
      'widget',
      'related',
      'recommended',
      'recommends',
      'recirc',
      'promo',
      'newsletter',
      'subscribe',
      'subscription',
      'signup',
      'share',
      'sharing',
      'social',
      'sponsor',
      'sponsored',
      'ad',
      'ads',
      'advert',
      'advertisement',
      'outbrain',
      'taboola',
      'trending',
      'popular',
      'caption',
      'credit',
      'credits',
      'disclaimer',
      'disclosure',
      'banner',
      'callout',
      'submeta',
      'syndication',
      'listing',
      'nocontent', // Google's mark for what is not the page's content
      'popup', // dialogs, hidden until asked for
      'modal',
      'notice', // cookie and consent notices
      'rail', // "right-rail": a sidebar by another name
      'readmore', // "Read more: …" boxes promoting another page
      'textwidget', // WordPress's text widget, a sidebar box
    ],
  ],
];

/**
 * Words of a hover card: the card is hidden until its link is hovered, never part of the text.
 * The link itself often sits in the same wrapper ("span.rollover-people > a + span.card").
 */
const HOVER_WORDS = new Set(['rollover', 'hovercard', 'tooltip', 'popover']);

/** Words that name the article body itself when two of them meet ("entry-content", "postBody"). */
const BODY_FIRST = new Set([
  'entry',
  'post',
  'article',
  'story',
  'blog',
  'news',
  'rich',
  'name', // Drupal's field-name-body
]);
const BODY_SECOND = new Set(['content', 'body', 'text', 'copy', 'entry', 'fulltext']);
/** A word that is such a pair run together in lower case: "entrybody", "postcontent". */
function isBodyCompound(word: string): boolean {
  for (const first of BODY_FIRST) {
    if (word.length > first.length && word.startsWith(first)) {
      if (BODY_SECOND.has(word.slice(first.length))) return true;
    }
  }
  return false;
}
/**
 * A word that begins with "comment" and names a block of comments run together in lower case
 * ("commentlist", "commentsblock", "commentpost"); not "commented" (a most-commented list) nor
 * "commentary" (an opinion piece is a story).
 */
function isCommentsCompound(word: string): boolean {
  return word.startsWith('comment') && !/^comment(?:s|ed|ary|aries|ators?)?$/.test(word);
}
/** Words of a list of the post's topics: "tag-list", "tag-links", "cat-links". */
const TOPIC_FIRST = new Set(['tag', 'cat']);
const TOPIC_SECOND = new Set(['list', 'links', 'cloud']);
/**
 * Words of a list of the text's sources: its references, footnotes, bibliography. Read as a
 * positive hint: the list is the text's own however dense with links its items are.
 */
const REFERENCE_WORDS = new Set([
  'references',
  'reflist',
  'footnotes',
  'endnotes',
  'citations',
  'bibliography',
]);
/** Class names of an element not shown ("hidden", "hide"), matched as the whole name. */
const HIDDEN = new Set(['hidden', 'hide']);
/** Words that name it alone. */
const BODY_WORDS = new Set(['hentry', 'articlebody', 'postbody', 'storybody', 'fulltext']);
/** Words that say "content" weakly: a wrapper that may hold the sidebars too. */
const WEAK_WORDS = new Set([
  'content',
  'article',
  'main',
  'story',
  'entry',
  'post',
  'body',
  'text',
]);

/**
 * Words that take back the negative words after them in the same class: a layout wrapper
 * "content-with-sidebar", a page flag "has-sidebar" ("callout--has-border" stays a callout).
 */
const NOT_AFTER = new Set(['with', 'has', 'no']);
/**
 * Words that take back every negative word of their class: an embedded tweet
 * "social-media-embed" inside the article, Elementor's "elementor-widget" for every block.
 */
const NOT_NEGATIVE = new Set(['embed', 'tweet', 'elementor']);

const NEGATIVE = new Map<string, LinkRegion>(
  NEGATIVE_WORDS.flatMap(([region, words]) => words.map((w) => [w, region] as const)),
);

/** Matches every id/class that holds one of the words above (and some that do not). */
const ANY_HINT = new RegExp(
  [
    ...NEGATIVE.keys(),
    ...HOVER_WORDS,
    ...BODY_FIRST,
    ...BODY_SECOND,
    ...BODY_WORDS,
    ...WEAK_WORDS,
    ...TOPIC_FIRST,
    ...HIDDEN,
    ...REFERENCE_WORDS,
    'read',
  ].join('|'),
  'i',
);

/** What an element's id and class say about it. */
export type Hint = 'body' | 'weak' | 'hover' | 'refs' | LinkRegion;

/** Inline elements: a link's block is its nearest ancestor that is none of these. */
const INLINE = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'cite',
  'code',
  'data',
  'del',
  'dfn',
  'em',
  'font',
  'i',
  'ins',
  'kbd',
  'mark',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'time',
  'u',
  'var',
]);

/**
 * Elements that sit in a line of text without being a block of their own: text parted by <br>
 * stays one block, as in a paragraph.
 */
const IN_LINE = new Set([
  'br',
  'wbr',
  'img',
  'script',
  'style',
  'noscript',
  'input',
  'label',
  'select',
  'button',
  'iframe',
]);

/** A text node, a comment or an inline element: part of the line of text around it. */
function isInlineNode(node: Node): boolean {
  return (
    node.nodeType !== 1 ||
    INLINE.has((node as Element).localName) ||
    IN_LINE.has((node as Element).localName)
  );
}

/**
 * Characters of the words set straight in an element, outside links: its text nodes and those
 * of its inline children (<font>, <b>), not those of links or of blocks inside it.
 */
function ownWords(el: Element): number {
  let own = 0;
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 3) own += visibleLength(c.nodeValue ?? '');
    else if (
      c.nodeType === 1 &&
      (c as Element).localName !== 'a' &&
      INLINE.has((c as Element).localName)
    ) {
      own += ownWords(c as Element);
    }
  }
  return own;
}

/**
 * Characters of the text nodes set straight in an element, its inline children left out: a
 * paragraph set in a <div> without <p> has most of its words there, while a kicker and headline
 * line built of <span>s ("Economy | As Debt Rises, …") has none.
 */
function textNodeWords(el: Element): number {
  let own = 0;
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 3) own += visibleLength(c.nodeValue ?? '');
  }
  return own;
}

/** An element's id and class in one string, what the hints are read from. */
function namesOf(el: Element): string {
  return `${el.id} ${el.getAttribute('class') ?? ''}`;
}

/** The id and class of an element as lower-case words. */
export function hintWords(el: Element): string[] {
  return wordsOf(namesOf(el));
}

function wordsOf(names: string): string[] {
  if (names.length <= 1) return [];
  return names
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * What an element's id and class say: the article body ("entry-content"), a weak content hint
 * ("content", which may wrap the sidebar too), a non-editorial region, or nothing. The body
 * wins over the negative words on the same element (WordPress puts "tag-x" on the post).
 */
export function hintOf(el: Element): Hint | null {
  return hintOfNames(namesOf(el));
}

function hintOfNames(names: string): Hint | null {
  // Most elements carry none of the words: one regular expression tells, without splitting.
  if (names.length <= 1 || !ANY_HINT.test(names)) return null;
  let negative: LinkRegion | null = null;
  let hover = false;
  let weak = false;
  let refs = false;
  for (const name of names.split(/\s+/)) {
    const words = wordsOf(name);
    let cancelled = words.some((w) => NOT_NEGATIVE.has(w));
    // A class that is only "hidden" (Bootstrap's display: none): a widget not shown at all.
    if (HIDDEN.has(name)) negative ??= 'aside';
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!;
      if (BODY_WORDS.has(word)) return 'body';
      // The pair as two words ("entry-content") or run together in lower case ("entrybody").
      const pair = BODY_FIRST.has(word) && BODY_SECOND.has(words[i + 1] ?? '') ? 2 : 0;
      if (pair || isBodyCompound(word)) {
        // The last word names the block: "post-text-author" is the author box of the post.
        const rest = words.slice(i + (pair || 1));
        const stop = rest.findIndex((w) => NOT_AFTER.has(w));
        const part = (stop < 0 ? rest : rest.slice(0, stop)).find((w) => NEGATIVE.has(w));
        if (part === undefined || cancelled) return 'body';
        negative ??= NEGATIVE.get(part)!;
        break;
      }
      // "read-more", "readMore": a promotion of another page.
      if (word === 'read' && words[i + 1] === 'more') negative ??= 'aside';
      // "tag-list", "cat-links" (WordPress's category links): the post's topics, not its text.
      if (TOPIC_FIRST.has(word) && TOPIC_SECOND.has(words[i + 1] ?? '')) negative ??= 'nav';
      if (NOT_AFTER.has(word)) cancelled = true;
      if (!cancelled)
        negative ??= NEGATIVE.get(word) ?? (isCommentsCompound(word) ? 'comments' : null);
      if (HOVER_WORDS.has(word)) hover = true;
      if (WEAK_WORDS.has(word)) weak = true;
      if (REFERENCE_WORDS.has(word)) refs = true;
    }
  }
  return negative ?? (hover ? 'hover' : refs ? 'refs' : weak ? 'weak' : null);
}

/**
 * hintOfNames memoized by the id and class string: the regular expression above tries each of
 * its hundred-odd words at every character, while most elements of a page (every item of a
 * list) repeat a few class strings. Per resolver, so a page's strings do not outlive it.
 */
function hintReader(): (el: Element) => Hint | null {
  const hints = new Map<string, Hint | null>();
  return (el) => {
    // Keyed by the class string itself when there is no id (most elements): the browser hands
    // out the same string for the same class, so no new string is built and hashed per element.
    const id = el.id;
    const names = id ? namesOf(el) : el.getAttribute('class');
    if (!names || names.length <= 1) return null;
    let hint = hints.get(names);
    if (hint === undefined) {
      hint = hintOfNames(names);
      hints.set(names, hint);
    }
    return hint;
  };
}

/**
 * Social networks a "follow us" line or a share button links to: their home, a profile
 * ("twitter.com/NYTopinion", "youtube.com/user/x") or a share endpoint ("sharer.php"). A post
 * on them ("twitter.com/x/status/1") is cited by the text, and not matched.
 */
const SOCIAL_HOSTS = new Set([
  'facebook.com',
  'twitter.com',
  'x.com',
  'instagram.com',
  'youtube.com',
  'linkedin.com',
  'pinterest.com',
  'tiktok.com',
]);
/** One-segment paths that are no profile: a video, a search, a tag. */
const NOT_PROFILES = new Set(['watch', 'hashtag', 'search', 'explore', 'shorts', 'playlist']);
/** Profile paths of two segments: "youtube.com/channel/…", "linkedin.com/company/…". */
const PROFILE_PREFIXES = new Set(['user', 'channel', 'c', 'company', 'in', 'pg']);

/** An anchor that names the network itself ("Twitter (@NYTopinion)", "Facebook"). */
const NETWORK_ANCHOR = /^\s*(facebook|twitter|x|instagram|youtube|linkedin|pinterest|tiktok)\b/i;
/** A line that asks the reader to follow or subscribe. */
const FOLLOW_WORDS = /\b(follow|subscribe)\b/i;

/** Whether a link's address is a social network's home, profile or share endpoint. */
export function isSocialProfile(href: string): boolean {
  const m = /^(?:https?:)?\/\/(?:(?:www|m|mobile)\.)?([^/?#:]+)([^?#]*)/i.exec(href);
  if (!m || !SOCIAL_HOSTS.has(m[1]!.toLowerCase())) return false;
  const parts = m[2]!.split('/').filter(Boolean);
  if (parts.length === 1) return !NOT_PROFILES.has(parts[0]!.toLowerCase());
  return (
    parts.length === 0 || (parts.length === 2 && PROFILE_PREFIXES.has(parts[0]!.toLowerCase()))
  );
}

/** The region an element itself declares by its tag or role, if any. */
function landmarkRegion(el: Element): LinkRegion | null {
  switch (el.localName) {
    case 'nav':
      return 'nav';
    case 'aside':
      return 'aside';
    case 'header':
      return 'header';
    case 'footer':
      return 'footer';
    // A caption's links credit the picture; the caption words below say the same of classes.
    case 'figcaption':
      return 'aside';
    case 'main':
    case 'article':
      return 'main';
  }
  switch (el.getAttribute('role')) {
    case 'navigation':
      return 'nav';
    case 'complementary':
      return 'aside';
    case 'banner':
      return 'header';
    case 'contentinfo':
      return 'footer';
    case 'main':
    case 'article':
      return 'main';
  }
  return null;
}

const isMainElement = (el: Element) =>
  el.localName === 'main' || el.getAttribute('role') === 'main';

/** The parent element, or for the top of a shadow tree its host: landmarks outside still count. */
function parentOf(el: Element): Element | null {
  // One call for the common case; the node behind it only at the top of a tree.
  const element = el.parentElement;
  if (element) return element;
  const parent = el.parentNode;
  return parent?.nodeType === 11 ? ((parent as ShadowRoot).host ?? null) : null;
}

/** Characters of text that are not whitespace, counted up to `max` at most. */
function visibleLength(text: string, max = Infinity): number {
  let n = 0;
  for (let i = 0; i < text.length && n < max; i++) {
    const c = text.charCodeAt(i);
    if (c > 32 && c !== 160) n++;
  }
  return n;
}

/** What the ancestors of an element (itself included) say about where it sits. */
interface Context {
  /** Inside an element named as the article body ("entry-content", "hentry"). */
  body: boolean;
  /** Inside a main/article landmark or a weak content hint. */
  weak: boolean;
  /** The nearest main/article landmark. */
  landmark: Element | null;
  /** The nearest non-editorial region below the article body (or anywhere, without one). */
  region: LinkRegion | null;
  /** Inside a list of the text's sources (a "references" hint). */
  refs: boolean;
}

const TOP: Context = { body: false, weak: false, landmark: null, region: null, refs: false };

/**
 * The context of an element from its parent's and its own signals. <html> and <body> declare
 * nothing: their classes are page-wide feature flags ("comments-enabled", "has-sidebar").
 */
function contextOf(
  el: Element,
  parent: Context,
  hintOfEl: (el: Element) => Hint | null,
  holdsArticle: (el: Element) => boolean,
): Context {
  const name = el.localName;
  // Read for every element, <body> too: the resolver notes hover cards as it reads.
  const hint = hintOfEl(el);
  if (name === 'html' || name === 'body') return parent;
  // Comment systems mark each comment up as an <article class="comment">: the hint wins.
  if (hint === 'comments') return { ...parent, region: 'comments' };
  // A post's class on an item of a list, or just inside one, is a teaser card of that post
  // ("li > article.hentry" in a related-posts list).
  if (hint === 'body' && (name === 'li' || parentOf(el)?.localName === 'li')) {
    return { ...parent, weak: true };
  }
  if (hint === 'body') {
    return { body: true, weak: true, landmark: parent.landmark, region: null, refs: parent.refs };
  }
  if (hint === 'refs') return { ...parent, refs: true };
  const landmark = landmarkRegion(el);
  // A main or article landmark inside a region stays in it: <article> is also a teaser card
  // in a related-posts list.
  if (landmark === 'main') return { ...parent, weak: true, landmark: el };
  // A link named for its hover card ("rollover-link") is the text the card explains; one named
  // as metadata ("meta-classifier", "author") names what it points to, a topic or an author
  // page, not where it sits: its block tells that.
  if ((hint === 'hover' || hint === 'header') && name === 'a') return parent;
  const region = landmark ?? (hint === 'weak' ? null : hint === 'hover' ? 'aside' : hint);
  // A sidebar, header or advert does not hold most of the page's prose: on the block that
  // does, the word is a layout name ("theiaStickySidebar", "header-style-2"), not a region.
  // Only the outermost region is asked: inside one, no block can hold more than it does.
  if (region && !parent.region && holdsArticle(el)) return parent;
  if (region) return { ...parent, region };
  if (hint === 'weak' && !parent.weak) return { ...parent, weak: true };
  return parent;
}

interface Density {
  /** Visible characters of the block's text. */
  text: number;
  /** Of which inside links. */
  linkText: number;
  links: number;
  /** The text itself when it is short enough for a promotion's line, kept for that test. */
  short: string | null;
}

/** How a link sits in its own block: in running text, in a list of links, or neither. */
type Local = 'prose' | 'cited' | 'teasers' | 'links' | 'heading' | 'alone' | 'plain';

/** Elements whose text is source, never shown. */
const UNSHOWN = ['script', 'style'];
/** Below this many characters of words of its own, a block is not running text. */
const PROSE_MIN_TEXT = 30;
/** Above this share of link text, a block is a list of links, not running text. */
const PROSE_MAX_LINK_DENSITY = 0.6;
/** Blocks that hold a paragraph; a link alone in one is set apart from the text. */
const STANDALONE = new Set(['p', 'div']);
const ALONE_MAX_TEXT = 15;
/**
 * A paragraph that is one short link names a source ("[Engadget]", "@handle", a bare URL); a
 * longer one is a headline, the promotion of another page.
 */
const CITED_MAX_ANCHOR = 25;
/** An anchor that is an address: "http://…", "www.…". */
const BARE_URL = /^\s*(?:https?:\/\/|www\.)\S+\s*$/i;
/** A body hint on less text than this (an empty wrapper, a teaser's summary) names no article. */
const BODY_MIN_TEXT = 200;
/** A landmark with less text than this is a short page: every link of it counts. */
const SHORT_PAGE_TEXT = 1000;
/** A group of at least this many links, nearly all text in links, reads as navigation. */
const LIST_MIN_LINKS = 3;
const LIST_MIN_LINK_DENSITY = 0.7;
/** A list of links with a line of text each: the links are a third of its text or more. */
const TEASER_MIN_LINK_DENSITY = 0.3;
/** A paragraph counts as the page's prose with this many characters of words of its own. */
const PARAGRAPH_MIN_TEXT = 60;
/** Below this much prose on the whole page, no block is taken for the article's text. */
const ROOT_MIN_PROSE = 500;
/** The block of the article's text holds at least this share of the page's prose. */
const ROOT_SHARE = 0.75;
/**
 * Words of a line that promotes the site rather than tells the story ("Subscribe to our
 * newsletters", "Follow us on Twitter", "Join our forums", "Listen back here"), matched as
 * words, in the languages of the benchmark's pages and a few more.
 */
const PROMO_WORDS =
  /(?<!\p{L})(subscribe|newsletters?|follow (?:us|me|him|her|them)|join our|listen|abonnieren|folgen sie|folge uns|abonnez|suivez-nous|inscrivez-vous|suscr[ií]bete|s[ií]guenos|assine|inscreva-se|siga-nos|iscriviti|seguici)(?!\p{L})/iu;
/**
 * A heading over what follows it that is not the story: related stories, more from the site,
 * the newsletter, the author's bio. Matched as words, in several languages.
 */
const SECTION_WORDS =
  /(?<!\p{L})(related|more (?:great|from|stories|news|on|in|to read)|recommended|read (?:more|also|next)|see also|also read|you may also like|you might also like|popular|trending|newsletters?|about the author|mehr zum thema|lesen sie auch|weitere artikel|das könnte sie auch interessieren|à lire aussi|lire aussi|voir aussi|articles similaires|sur le même sujet|relacionad[oa]s|te puede interesar|lee también|leia também|veja também|mais notícias|leggi anche|articoli correlati)(?!\p{L})/iu;
/**
 * The whole anchor of a link that only says there is more, in the languages of the corpora's
 * pages and a few more; punctuation and arrows around it allowed ("Read more »", "[mehr]").
 */
const MORE_ANCHOR =
  /^[\s\p{P}\p{S}]*(?:read more|more|continue reading|read the full (?:story|article)|full story|weiterlesen|mehr|mehr lesen|lire la suite|en savoir plus|lire plus|leer m[aá]s|seguir leyendo|leia mais|continua a leggere|leggi tutto|czytaj (?:więcej|dalej)|więcej|lees meer|verder lezen)[\s\p{P}\p{S}]*$/iu;
/** Tags of a section's heading; the page's own <h1> is its title. */
const SECTION_HEADINGS = new Set(['h2', 'h3', 'h4', 'h5', 'h6']);
/** Ids and classes that may name a heading, before they are read as words. */
const HEAD_OR_TITLE = /head|title/i;
/** A heading of a section is a short line. */
const SECTION_HEADING_MAX_TEXT = 60;
/** A promotion is a short line: a paragraph longer than this is the story's own. */
const PROMO_MAX_TEXT = 400;
/** A promotion at most this much prose before the end of the article: its closing lines. */
const TAIL_MAX_PROSE = 300;
/** Paragraphs (and divs) read to find that block: an article has far fewer. */
const ROOT_MAX_SCAN = 2000;

/**
 * Whether any element child of a parent passes `test`, found once per parent (one resolver's
 * life): most parents are asked for many of their descendants' links.
 */
function anyChildOnce(test: (child: Element) => boolean): (parent: Element) => boolean {
  const known = new Map<Element, boolean>();
  return (parent) => {
    let found = known.get(parent);
    if (found === undefined) {
      found = false;
      for (let c = parent.firstElementChild; c && !found; c = c.nextElementSibling) {
        found = test(c);
      }
      known.set(parent, found);
    }
    return found;
  };
}

/**
 * A placement judge for one document (or one batch of changes): region of a link element.
 * Memoized per element, so a page with tens of thousands of links judges each ancestor once;
 * the text measures of a block are taken lazily, only for the blocks links sit in.
 */
export function placementResolver(): (el: Element) => LinkRegion {
  const contexts = new Map<Element, Context>();
  const densities = new Map<Element, Density>();
  const readHint = hintReader();
  /** Elements named for a hover card, noted as their contexts are worked out. */
  const hoverCards = new Set<Element>();
  const hintOfEl = (el: Element) => {
    const hint = readHint(el);
    if (hint === 'hover') hoverCards.add(el);
    return hint;
  };

  /** The ancestors not yet known of one walk up, reused from walk to walk. */
  const pending: Element[] = [];
  function contextFor(start: Element): Context {
    let el: Element | null = start;
    let context = TOP;
    while (el) {
      const known = contexts.get(el);
      if (known) {
        context = known;
        break;
      }
      pending.push(el);
      el = parentOf(el);
    }
    for (let i = pending.length - 1; i >= 0; i--) {
      context = contextOf(pending[i]!, context, hintOfEl, holdsArticle);
      contexts.set(pending[i]!, context);
    }
    pending.length = 0;
    return context;
  }

  function densityOf(el: Element): Density {
    let d = densities.get(el);
    if (d) return d;
    const anchors = el.getElementsByTagName('a');
    let linkText = 0;
    for (let i = 0; i < anchors.length; i++)
      linkText += visibleLength(anchors[i]!.textContent ?? '');
    const all = el.textContent ?? '';
    // A script's or style's source is in textContent but never shown: it is not the block's words.
    let text = visibleLength(all);
    for (const tag of UNSHOWN) {
      const hidden = el.getElementsByTagName(tag);
      for (let i = 0; i < hidden.length; i++) text -= visibleLength(hidden[i]!.textContent ?? '');
    }
    d = { text, linkText, links: anchors.length, short: text < PROMO_MAX_TEXT ? all : null };
    densities.set(el, d);
    return d;
  }

  /**
   * Whether a landmark holds less text than a short page. Only its text is needed, counted up
   * to the bound: the full density of an <article> reads every one of its links' text (8,000
   * links on the benchmark's page, a third of the capped extraction's time).
   */
  const short = new Map<Element, boolean>();
  function isShort(el: Element): boolean {
    let known = short.get(el);
    if (known === undefined) {
      known = visibleLength(el.textContent ?? '', SHORT_PAGE_TEXT) < SHORT_PAGE_TEXT;
      short.set(el, known);
    }
    return known;
  }

  /**
   * Whether the page names its article body somewhere (an element with a body hint and some
   * text, outside any non-editorial region). Found once per resolver, and only when a link
   * outside every body needs it: one pass over the elements with an id or class.
   */
  let bodyFound: boolean | undefined;
  function hasBody(link: Element): boolean {
    if (bodyFound === undefined) {
      bodyFound = false;
      const named = link.ownerDocument.querySelectorAll('[class], [id]');
      for (let i = 0; i < named.length && !bodyFound; i++) {
        const el = named[i]!;
        const parent = parentOf(el);
        bodyFound =
          hintOfEl(el) === 'body' &&
          contextFor(el).body &&
          !(parent && contextFor(parent).region) &&
          visibleLength(el.textContent ?? '', BODY_MIN_TEXT) >= BODY_MIN_TEXT;
      }
    }
    return bodyFound;
  }

  /**
   * A landmark that can stand for the whole page: <main>, or an <article> that is not one card
   * of a list (inside an item, or beside other articles that are not comments).
   */
  function isPageLandmark(el: Element): boolean {
    if (isMainElement(el)) return true;
    const parent = parentOf(el);
    if (!parent || parent.localName === 'li') return false;
    for (let s = parent.firstElementChild; s; s = s.nextElementSibling) {
      if (s !== el && s.localName === 'article' && hintOfEl(s) !== 'comments') return false;
    }
    return true;
  }

  /**
   * The page's paragraphs of prose (words, not links) and the characters of their own, read
   * once per resolver: <p>s, and text set straight in a <div> with lines parted by <br>.
   */
  let paragraphs: Array<[Element, number]> | undefined;
  function proseParagraphs(doc: Document): Array<[Element, number]> {
    if (paragraphs) return paragraphs;
    paragraphs = [];
    const ps = doc.getElementsByTagName('p');
    for (let i = 0; i < ps.length && i < ROOT_MAX_SCAN; i++) {
      const p = ps[i]!;
      // Most paragraphs of a link-heavy page are one link: their bounded length tells first.
      if (visibleLength(p.textContent ?? '', PARAGRAPH_MIN_TEXT) < PARAGRAPH_MIN_TEXT) continue;
      const d = densityOf(p);
      const own = d.text - d.linkText;
      if (own >= PARAGRAPH_MIN_TEXT && d.linkText <= d.text * PROSE_MAX_LINK_DENSITY) {
        paragraphs.push([p, own]);
      }
    }
    // Table layouts (pages of the 2000s) set the story straight in a cell, often inside <font>.
    for (const tag of ['div', 'td']) {
      const cells = doc.getElementsByTagName(tag);
      for (let i = 0; i < cells.length && i < ROOT_MAX_SCAN; i++) {
        const own = ownWords(cells[i]!);
        if (own >= PARAGRAPH_MIN_TEXT) paragraphs.push([cells[i]!, own]);
      }
    }
    return paragraphs;
  }

  /**
   * The deepest element below <body> holding a share of the given paragraphs' prose, as
   * Readability finds its top candidate; `prose` is filled with each ancestor's characters.
   */
  function deepestHolder(
    doc: Document,
    chosen: Array<[Element, number]>,
    prose: Map<Element, number>,
  ): Element | null {
    let total = 0;
    for (const [p, own] of chosen) {
      total += own;
      for (let el: Element | null = p; el; el = parentOf(el)) {
        prose.set(el, (prose.get(el) ?? 0) + own);
      }
    }
    if (total < ROOT_MIN_PROSE || !doc.body) return null;
    let el: Element = doc.body;
    for (let next: Element | null = el; next;) {
      el = next;
      next = null;
      for (let c = el.firstElementChild; c; c = c.nextElementSibling) {
        if (c.localName !== 'p' && (prose.get(c) ?? 0) >= total * ROOT_SHARE) next = c;
      }
    }
    return el === doc.body ? null : el;
  }

  /**
   * The block holding most of the page's prose whatever its names say, and every element
   * around it: no region can be one of them (a negative word there is a layout name).
   */
  let holders: Set<Element> | undefined;
  function holdsArticle(el: Element): boolean {
    // A block without a paragraph holds no article (a menu, a footer's link columns): asked
    // first, it spares most pages the scan of their paragraphs.
    if (!el.querySelector('p')) return false;
    if (!holders) {
      holders = new Set();
      const doc = el.ownerDocument;
      const top = deepestHolder(doc, proseParagraphs(doc), new Map());
      for (let e = top; e; e = parentOf(e)) holders.add(e);
    }
    return holders.has(el);
  }

  /**
   * The block that holds the article's text: the deepest element holding most of the prose of
   * paragraphs outside every non-editorial region. None on a page of little prose, or when no
   * block below <body> holds most of it. Found once per resolver, when a link first needs it.
   */
  let root: Element | null | undefined;
  /** Characters of that prose inside each element, paragraphs included. */
  const prose = new Map<Element, number>();
  function articleRoot(doc: Document): Element | null {
    if (root === undefined) {
      const outside = proseParagraphs(doc).filter(([p]) => !contextFor(p).region);
      root = deepestHolder(doc, outside, prose);
    }
    return root;
  }

  /** Whether an element comes after another in document order, outside it. */
  function isAfter(el: Element, other: Element): boolean {
    return (other.compareDocumentPosition(el) & 4) !== 0; // Node.DOCUMENT_POSITION_FOLLOWING
  }

  /** Whether an element sits inside the article's text block, memoized along the way up. */
  const inRoot = new Map<Element, boolean>();
  function isInRoot(start: Element, rootEl: Element): boolean {
    const pending: Element[] = [];
    let found = false;
    for (let el: Element | null = start; el; el = parentOf(el)) {
      const known = el === rootEl ? true : inRoot.get(el);
      if (known !== undefined) {
        found = known;
        break;
      }
      pending.push(el);
    }
    for (const el of pending) inRoot.set(el, found);
    return found;
  }

  function blockOf(link: Element): Element | null {
    let el = parentOf(link);
    while (el && INLINE.has(el.localName)) el = parentOf(el);
    return el;
  }

  /** Whether a block is mostly links, and several of them: a menu, a list of headlines. */
  function isLinkList(el: Element): boolean {
    const d = densityOf(el);
    return d.links >= LIST_MIN_LINKS && d.linkText >= d.text * LIST_MIN_LINK_DENSITY;
  }

  /**
   * Whether a block holds other blocks (a layout cell, a wrapper, <body> itself) rather than
   * only a line of text: its density is then that of a whole column, not of the link's text.
   */
  const isContainer = anyChildOnce((c) => !INLINE.has(c.localName) && !IN_LINE.has(c.localName));

  /**
   * The text block a link sits in, as boilerpipe cuts a page into blocks: the run of text and
   * inline elements around it, up to the nearest child block of its block. In a block that
   * holds only a line of text, the block itself. Memoized by the run's first node.
   */
  const lines = new Map<Node, Density>();
  function lineDensityOf(link: Element, block: Element): Density {
    if (!isContainer(block)) return densityOf(block);
    let top: Node = link;
    while (top.parentNode !== block) top = top.parentNode!;
    let first = top;
    for (let s = top.previousSibling; s && isInlineNode(s); s = s.previousSibling) first = s;
    let d = lines.get(first);
    if (d) return d;
    let text = 0;
    let linkText = 0;
    let links = 0;
    let all = '';
    for (let n: Node | null = first; n && isInlineNode(n); n = n.nextSibling) {
      if (n.nodeType === 1 && UNSHOWN.includes((n as Element).localName)) continue;
      const t = n.textContent ?? '';
      text += visibleLength(t);
      if (all.length < PROMO_MAX_TEXT) all += t;
      if (n.nodeType !== 1) continue;
      const el = n as Element;
      const anchors = el.localName === 'a' ? [el] : Array.from(el.getElementsByTagName('a'));
      for (const a of anchors) linkText += visibleLength(a.textContent ?? '');
      links += anchors.length;
    }
    d = { text, linkText, links, short: text < PROMO_MAX_TEXT ? all : null };
    lines.set(first, d);
    return d;
  }

  function localOf(link: Element, block: Element | null): Local {
    if (!block) return 'plain';
    if (/^h[1-6]$/.test(block.localName)) return 'heading';
    const d = lineDensityOf(link, block);
    if (d.text - d.linkText >= PROSE_MIN_TEXT && d.linkText <= d.text * PROSE_MAX_LINK_DENSITY) {
      // An item of a list whose every item is a link with a line of text: teasers of posts.
      if (block.localName === 'li') {
        const list = parentOf(block);
        const g = list && densityOf(list);
        if (g && g.links >= LIST_MIN_LINKS && g.linkText >= g.text * TEASER_MIN_LINK_DENSITY) {
          return 'teasers';
        }
      }
      return 'prose';
    }
    // A paragraph that is one link and next to nothing else: "Read more: …", a promotion.
    if (STANDALONE.has(block.localName) && d.text - d.linkText < ALONE_MAX_TEXT) {
      // The block's link text is this link's own when it is the block's only link.
      const anchor =
        d.links === 1 ? d.linkText : visibleLength(link.textContent ?? '', CITED_MAX_ANCHOR);
      // A bare address names a source however long it is ("http://www.winchester.com/…").
      const short = anchor < CITED_MAX_ANCHOR || BARE_URL.test(link.textContent ?? '');
      return block.localName === 'p' && short ? 'cited' : 'alone';
    }
    // The whole page is no list of links: <body> holds them all.
    const group = parentOf(block);
    if (group && group.localName !== 'body' && group.localName !== 'html') {
      if (isLinkList(group)) return 'links';
    }
    return 'plain';
  }

  /**
   * The context a link is judged in. A hover card's wrapper often begins with the link it
   * explains ("span.rollover > a + span.card"): that link is judged outside the wrapper.
   */
  function linkContext(link: Element): Context {
    const parent = parentOf(link);
    if (!parent) return contextOf(link, TOP, hintOfEl, holdsArticle);
    const context = contextFor(parent);
    // The parent's hint was read when its context was worked out.
    if (hoverCards.has(parent) && parent.firstElementChild === link) {
      const above = parentOf(parent);
      return above ? contextFor(above) : TOP;
    }
    // The link itself is not kept in the memo: no other link is judged below it.
    return contextOf(link, context, hintOfEl, holdsArticle);
  }

  /**
   * "Follow us on Facebook, Twitter": a social network's profile named by the network, or on a
   * line that asks to follow. A profile named by a person's name or handle in running text is
   * the text's own ("@AOC tweeted"), and stays.
   */
  function isFollowLink(link: Element, block: Element | null): boolean {
    if (!isSocialProfile(link.getAttribute('href') ?? '')) return false;
    if (NETWORK_ANCHOR.test(link.textContent ?? '')) return true;
    return block !== null && FOLLOW_WORDS.test(block.textContent ?? '');
  }

  /**
   * "Read more", "weiterlesen", "czytaj więcej": a link that says only that there is more leads
   * to another page (or the rest of this one), and is no part of the text; unless it sits in a
   * sentence of running text ("there is more on this here"). The anchor is tested first: few
   * links say only that.
   */
  function isMoreLink(link: Element, block: Element | null): boolean {
    return MORE_ANCHOR.test(link.textContent ?? '') && localOf(link, block) !== 'prose';
  }

  /**
   * The article's closing lines that promote the site ("Subscribe to our newsletters", "Join
   * our forums"): a short block with a promotion's words, after which the page has next to no
   * prose left. The text is the one its density was read from, kept when short.
   */
  function isClosingPromo(block: Element): boolean {
    const text = densityOf(block).short;
    return text !== null && PROMO_WORDS.test(text) && proseAfter(block) <= TAIL_MAX_PROSE;
  }

  /**
   * Whether a block of "main" links is the site's, not the text's: a closing promotion, or a
   * section under a related-stories heading. Memoized per block, so its links share one test.
   */
  const asides = new Map<Element, boolean>();
  function isAsideBlock(block: Element): boolean {
    let known = asides.get(block);
    if (known === undefined) {
      known = isClosingPromo(block) || isInSection(block);
      asides.set(block, known);
    }
    return known;
  }

  /** Prose after an element in document order, counted up to just past TAIL_MAX_PROSE. */
  function proseAfter(start: Element): number {
    articleRoot(start.ownerDocument);
    let after = 0;
    for (let el: Element | null = start; el && after <= TAIL_MAX_PROSE; el = parentOf(el)) {
      for (let s = el.nextElementSibling; s && after <= TAIL_MAX_PROSE; s = s.nextElementSibling) {
        after += prose.get(s) ?? 0;
      }
    }
    return after;
  }

  /**
   * Whether an element is a short heading-like line: h2–h6, or an element named for a heading
   * or title ("div.heading-h3"). The page's own <h1> is its title and heads no section, even
   * when its class names it a title ("h1.section-title": "… why is it so popular?" once made
   * every link of a stackoverflow.blog post a related-stories link).
   */
  function isHeadingLike(el: Element): boolean {
    if (el.localName === 'h1') return false;
    if (!SECTION_HEADINGS.has(el.localName)) {
      // Id and class read apart: most elements have neither, and no new string is built.
      const id = el.id;
      const cls = el.getAttribute('class');
      if (!(cls && HEAD_OR_TITLE.test(cls)) && !(id && HEAD_OR_TITLE.test(id))) return false;
      const words = wordsOf(namesOf(el));
      if (!words.some((w) => w === 'heading' || w === 'title' || w === 'headline')) return false;
    }
    return visibleLength(el.textContent ?? '', SECTION_HEADING_MAX_TEXT) < SECTION_HEADING_MAX_TEXT;
  }

  /**
   * The nearest heading-like sibling at or before an element, memoized along the way back, so
   * a long run of siblings (thousands of paragraphs) is read once, not once per sibling.
   */
  const headingAt = new Map<Element, Element | null>();
  function headingBefore(el: Element): Element | null {
    const pending: Element[] = [];
    let heading: Element | null = null;
    for (let s = el.previousElementSibling; s; s = s.previousElementSibling) {
      const known = headingAt.get(s);
      if (known !== undefined) {
        heading = known;
        break;
      }
      pending.push(s);
      if (isHeadingLike(s)) {
        heading = s;
        break;
      }
    }
    for (const s of pending) headingAt.set(s, heading);
    return heading;
  }

  /**
   * Whether an element comes after a heading of related stories, more from the site, the
   * newsletter or the author's bio, at its own level or an ancestor's (up to the body): the
   * nearest heading before it decides. Memoized per element.
   */
  const afterSection = new Map<Element, boolean>();
  function isInSection(start: Element): boolean {
    const pending: Element[] = [];
    let found = false;
    for (let el: Element | null = start; el && el.localName !== 'body';) {
      const known = afterSection.get(el);
      if (known !== undefined) {
        found = known;
        break;
      }
      pending.push(el);
      const parent = parentOf(el);
      const heading = parent && hasHeadingChild(parent) ? headingBefore(el) : null;
      if (heading && SECTION_WORDS.test(heading.textContent ?? '')) {
        found = true;
        break;
      }
      el = parent;
    }
    // The start is a block, memoized by the caller; its ancestors are shared by other blocks.
    for (let i = 1; i < pending.length; i++) afterSection.set(pending[i]!, found);
    return found;
  }

  /**
   * Whether an element has a heading-like child at all, found once per parent: most have none,
   * and then no child of theirs looks back along its siblings.
   */
  const hasHeadingChild = anyChildOnce(isHeadingLike);

  /**
   * Whether a block is a cell of a table of data (one with header cells), not of a layout: its
   * links are entries of the data (a film, a source), however dense with links a row is.
   * Memoized per table.
   */
  const dataTables = new Map<Element, boolean>();
  function isDataCell(block: Element): boolean {
    if (block.localName !== 'td' && block.localName !== 'th') return false;
    let table = parentOf(block);
    while (table && table.localName !== 'table') table = parentOf(table);
    if (!table) return false;
    let known = dataTables.get(table);
    if (known === undefined) {
      known = table.getElementsByTagName('th').length > 0;
      dataTables.set(table, known);
    }
    return known;
  }

  return (link) => {
    const context = linkContext(link);
    if (context.region) return context.region;
    // The link's block, found once and passed to every test that reads it.
    const block = blockOf(link);
    const region = judge(link, block, context);
    // Inside the article body too, follow lines and closing promotions are the site's, not
    // the text's: only links the rest calls main are looked at.
    if (region !== 'main') return region;
    if (isMoreLink(link, block)) return 'other';
    return isFollowLink(link, block) || (block !== null && isAsideBlock(block)) ? 'aside' : region;
  };

  /**
   * Whether a block of prose is a paragraph: a <p>, or a <div> of one line of text whose own
   * text nodes hold a paragraph's words (a lead set in a <div class="para">, as wikis and
   * encyclopedias set theirs; proseParagraphs counts such a <div> as the page's prose too).
   */
  function isParagraph(block: Element): boolean {
    if (block.localName === 'p') return true;
    return (
      block.localName === 'div' && !isContainer(block) && textNodeWords(block) >= PARAGRAPH_MIN_TEXT
    );
  }

  /** Whether a link sits in the article's text: a named body, or the block of its prose. */
  function inStory(link: Element, context: Context): boolean {
    if (context.body) return true;
    const rootEl = articleRoot(link.ownerDocument);
    return rootEl !== null && isInRoot(link, rootEl);
  }

  /** The region of a link outside every non-editorial region, from its block and context. */
  function judge(link: Element, block: Element | null, context: Context): LinkRegion {
    const local = localOf(link, block);
    if (local === 'heading') return 'other';
    // The text's references, in its block or its content wrapper: its sources, not teasers.
    if (context.refs && (context.weak || inStory(link, context))) return 'main';
    // A table of data in the article's text is the text's own (Readability keeps such tables).
    if (block && isDataCell(block) && inStory(link, context)) return 'main';
    if (context.body) {
      return local === 'links'
        ? 'nav'
        : local === 'alone' || local === 'teasers'
          ? 'other'
          : 'main';
    }
    // The page names its article body and this link is outside it: a teaser, a byline, a
    // section label. A paragraph of running text in a landmark or a content wrapper still
    // counts (a lead above the body).
    const paragraph = local === 'prose' && block !== null && isParagraph(block);
    if (hasBody(link) && !(paragraph && context.weak)) return 'other';
    // Outside the block of the article's text, only a paragraph of prose before it may still
    // be the article's (a lead above it); bylines, topic labels, footers and notices are not,
    // nor the teasers of other stories after the article's end (boilerpipe's position rule).
    const rootEl = articleRoot(link.ownerDocument);
    if (rootEl && !isInRoot(link, rootEl) && (!paragraph || isAfter(link, rootEl))) return 'other';
    // A paragraph dense with links inside that block, a list of books or sources set as text
    // ("Title: Subtitle (review)"), is the text's own; not a heading, a menu or a promotion.
    // A paragraph that is itself a list of links (headlines parted by <br>) is not one of them.
    const linkedParagraph =
      rootEl !== null && local === 'plain' && block?.localName === 'p' && !isLinkList(block);
    // Links straight in <main>, no finer structure to judge: the page says main. (Not so for
    // <article>: also a teaser card, one link and its summary.)
    if (context.landmark && isMainElement(context.landmark) && block === context.landmark) {
      return 'main';
    }
    if (context.landmark) {
      if (local === 'links') return 'nav';
      if (local === 'teasers') return 'other';
      // On a short page every link of the landmark counts; in a long text, those in its prose.
      if (local === 'prose' || local === 'cited' || linkedParagraph) return 'main';
      return isPageLandmark(context.landmark) && isShort(context.landmark) ? 'main' : 'other';
    }
    // A content wrapper named by its class is judged as a main landmark is: a paragraph that is
    // one short link names a source there too. (Dev pages stripped of their landmarks lost
    // exactly those links; the block found by prose alone is no such evidence, and keeps to prose.)
    if (context.weak) {
      // Several short links and next to no words under a mere "content" wrapper: a menu set as
      // a paragraph ("Home | About | Jobs"). (In a named article body, a line of sources.)
      if (local === 'cited' && lineDensityOf(link, block!).links >= LIST_MIN_LINKS) return 'nav';
      if (local === 'prose' || local === 'cited' || linkedParagraph) return 'main';
      return local === 'links' ? 'nav' : 'other';
    }
    return local === 'prose' ? 'main' : 'other';
  }
}
