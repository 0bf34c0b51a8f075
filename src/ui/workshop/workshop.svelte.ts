// The Workshop page's state: opening a share link, joining a shard, exporting and importing bundles, coverage.
// Components call its methods and read its fields; the store work lives in workshop-io.ts.
import type { PlanRowKey } from '../../core/plan.ts';
import type { Coverage, Shard } from '../../core/shard.ts';
import { decodeShareToken, encodeShareToken, platformCodec, shareUrl, type SharedStudy } from '../../core/share.ts';
import type { StudyConfig } from '../../core/types.ts';
import type { LabDatabase } from '../../store/db.ts';
import type { Compute } from '../compute/compute.ts';
import type { ImportProgress } from '../../store/import.ts';
import { exportBundle, importFiles, joinStudy, storedShard, studyCoverage, type ExportedBundle, type ImportReport, type WorkshopDeps } from './workshop-io.ts';
import { shardRows, shardSizes } from '../../core/shard.ts';

export type LinkState =
  | { status: 'none' }
  | { status: 'opening' }
  | { status: 'invalid'; message: string }
  | { status: 'open'; study: SharedStudy; planSize: number; shardSizes: number[] | null }
  | { status: 'joined'; study: SharedStudy; shard: Shard | null; rows: number };

/**
 * Plans built by the compute worker (the one the Study page uses), so a 127,010-row plan never blocks the page; the
 * last study's rows are kept, since opening, joining, importing and coverage all ask for the same plan.
 */
export function computePlanSource(compute: () => Promise<Compute>): (config: StudyConfig) => Promise<readonly PlanRowKey[]> {
  let last: { key: string; rows: Promise<PlanRowKey[]> } | null = null;
  return (config) => {
    const key = JSON.stringify(config);
    if (last?.key !== key) {
      const rows = compute().then((c) => c.planRowKeys(config));
      last = { key, rows };
      // A failed build is not kept: the next call tries again.
      rows.catch(() => { if (last?.rows === rows) last = null; });
    }
    return last.rows;
  };
}

export class Workshop {
  #deps: WorkshopDeps;
  #link = $state.raw<LinkState>({ status: 'none' });
  #busy = $state<string | null>(null);
  #error = $state<string | null>(null);
  #report = $state.raw<ImportReport | null>(null);
  #coverage = $state.raw<Coverage | null>(null);
  #exported = $state.raw<ExportedBundle | null>(null);
  #lastFiles: readonly { name: string; bytes: Uint8Array }[] = [];
  #importProgress = $state.raw<ImportProgress | null>(null);

  constructor(db: LabDatabase, deps: Pick<WorkshopDeps, 'plan'> & Partial<Omit<WorkshopDeps, 'db' | 'plan'>>) {
    this.#deps = { db, codec: deps.codec === undefined ? platformCodec() : deps.codec, plan: deps.plan, now: deps.now ?? (() => new Date()), importer: deps.importer };
  }

  /** How far the import going now is (files read, then rows saved), or null. */
  get importProgress(): ImportProgress | null {
    return this.#importProgress;
  }

  get link(): LinkState {
    return this.#link;
  }
  /** What the page is doing now ("Importing 3 files…"), or null. */
  get busy(): string | null {
    return this.#busy;
  }
  /** The last failure, in words for the user. */
  get error(): string | null {
    return this.#error;
  }
  get report(): ImportReport | null {
    return this.#report;
  }
  get coverage(): Coverage | null {
    return this.#coverage;
  }
  get exported(): ExportedBundle | null {
    return this.#exported;
  }

  async #doing<T>(what: string, work: () => Promise<T>): Promise<T | null> {
    this.#busy = what;
    this.#error = null;
    try {
      return await work();
    } catch (error) {
      this.#error = error instanceof Error ? error.message : String(error);
      return null;
    } finally {
      this.#busy = null;
    }
  }

  /** Opens a share-link token: validates it and sizes the plan (and its shards). Never throws. */
  async open(token: string, active: string | null): Promise<void> {
    this.#link = { status: 'opening' };
    const decoded = await decodeShareToken(token, this.#deps.codec);
    if (!decoded.ok) {
      this.#link = { status: 'invalid', message: decoded.message };
      return;
    }
    const study = decoded.study;
    const plan = await this.#doing('Preparing the plan…', () => this.#deps.plan(study.config));
    if (!plan) {
      this.#link = { status: 'invalid', message: `The study in this link could not be planned: ${this.#error ?? 'unknown error'}` };
      return;
    }
    const n = study.shard?.n;
    const sizes = n ? shardSizes(plan, n) : null;
    // Coming back to a link already joined in this browser shows it as joined.
    if (active === study.id) {
      const shard = await storedShard(this.#deps.db, study.id);
      const stored = await this.#deps.db.studies.get(study.id);
      const spec = study.shard;
      const sameShard = spec === undefined ? shard === null : shard !== null && shard.n === spec.n && (spec.k === undefined || shard.k === spec.k);
      if (stored && sameShard) {
        this.#link = { status: 'joined', study, shard, rows: shard ? (sizes?.[shard.k - 1] ?? shardRows(plan, shard).length) : plan.length };
        return;
      }
    }
    this.#link = { status: 'open', study, planSize: plan.length, shardSizes: sizes };
  }

  /** Joins the open link's study (shard k of its n, or the whole plan). Returns the study id to make active. */
  async join(k: number | null): Promise<string | null> {
    const link = this.#link;
    if (link.status !== 'open' && link.status !== 'joined') return null;
    const study = link.study;
    const shard = study.shard && k !== null ? { k, n: study.shard.n } : null;
    const joined = await this.#doing('Setting up the study…', () => joinStudy(this.#deps, study, shard));
    if (!joined) return null;
    this.#link = { status: 'joined', study, shard, rows: joined.rows };
    return joined.id;
  }

  /** A share link for a study (optionally sharded). */
  async makeLink(config: StudyConfig, pageUrl: string, shard?: { n: number; k?: number }): Promise<string> {
    return shareUrl(pageUrl, await encodeShareToken(config, shard, this.#deps.codec));
  }

  async exportBundle(study: string, gzip: boolean): Promise<ExportedBundle | null> {
    const exported = await this.#doing('Packing your results…', () => exportBundle(this.#deps, study, gzip));
    this.#exported = exported;
    return exported;
  }

  /**
   * Imports files into the active study (or, with none, the first bundle's study); returns the study id to make active
   * (null when nothing could be imported). The files are kept so the user can import them into their own study instead.
   */
  async importFiles(files: readonly { name: string; bytes: Uint8Array }[], into: string | null): Promise<string | null> {
    this.#lastFiles = files;
    // The counts shown so far may be another study's: they go until this import's study is counted.
    this.#coverage = null;
    const n = files.length;
    const report = await this.#doing(`Importing ${n} file${n === 1 ? '' : 's'}…`, () => importFiles(this.#deps, files, into, (p) => (this.#importProgress = p)));
    this.#importProgress = null;
    this.#report = report;
    if (!report?.study) return null;
    await this.refreshCoverage(report.study.id, report.shards);
    return report.study.id;
  }

  /** Imports the last files again into the study their refused bundles belong to (it becomes the active study). */
  async importIntoOtherStudy(): Promise<string | null> {
    const other = this.#report?.otherStudy;
    if (!other || this.#lastFiles.length === 0) return null;
    return this.importFiles(this.#lastFiles, other.id);
  }

  async refreshCoverage(study: string, n?: number): Promise<void> {
    const shards = n ?? this.#coverage?.n ?? (await storedShard(this.#deps.db, study))?.n ?? 1;
    this.#coverage = await this.#doing('Counting responses…', () => studyCoverage(this.#deps, study, shards));
  }
}
