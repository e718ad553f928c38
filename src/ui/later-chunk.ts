/**
 * What the report's screens compute after their first render: link quality, risk flags,
 * relevance, and the page's backlink profile. Imported only dynamically (ui/later.ts), so that
 * vite builds it into a chunk the popup and the report page load after their first rows, not
 * before (issue 7).
 */
export { scoreBacklinks } from '../core/quality';
export { describeAnchorTarget, summarizeProfile } from '../core/profile';
export { loadFlags, startFlagReads } from '../storage/flags';
export { loadRelevance } from '../storage/term-stats';
