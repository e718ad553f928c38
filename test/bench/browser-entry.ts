// Bundled into one IIFE (global BacklinkBench) and run inside a real Chromium page.
export {
  extractPage,
  extractLinks,
  DEFAULT_EXTRACT_OPTIONS,
  linkElements,
  shadowRootsIn,
} from '../../src/core/extract';
export { placementResolver } from '../../src/core/placement';
export { contextReader, pageSignals, pageTerms } from '../../src/core/capture';
export { extractPage as baselineExtractPage } from './baseline-extract';
export { naiveExtract } from './extraction-page';
