// Bundled into one IIFE (global BacklinkBench) and run inside a real Chromium page.
export { extractPage, DEFAULT_EXTRACT_OPTIONS } from '../../src/core/extract';
export { naiveExtract } from './extraction-page';
