// The paper's published numbers, bundled with the charts so they show beside ours without the page fetching anything.
import paperResults from '../../static-data/paper-results.json';
import type { PaperResults } from '../core/paper.ts';

export const PAPER: PaperResults = paperResults;
