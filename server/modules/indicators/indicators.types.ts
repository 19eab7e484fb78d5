/**
 * What the indicators module answers: the contract between the computation
 * (compute-indicators.ts), the supervisors' dashboard, the monthly report, the
 * transparency panel and the open data. Times are seconds; shares are 0–1;
 * a figure without data is null (never 0 pretending to be a measure).
 */
import type { ServiceTarget } from '../../db/schema.js';

/** A period and filter as validated (see indicator-filter.ts). */
export type IndicatorFilter = {
  from: string;
  to: string;
  procedureId?: string;
  channel?: 'video' | 'phone' | 'callback';
  departmentId?: string;
  agentId?: string;
};

/** One line of a breakdown: a stable key, its label in the asked language, and its count. */
export type Breakdown = { key: string; label: string; count: number }[];

export type DurationStats = {
  /** How many durations were measured. */
  count: number;
  averageSeconds: number | null;
  /** Nearest-rank 90th percentile, exact to its histogram bucket (histogram.ts); 86 400 means 24 h or more. */
  p90Seconds: number | null;
};

export type TargetResult = ServiceTarget & {
  /** "90% of call-backs within 4 minutes", in the asked language. */
  label: string;
  /** How many measures the target applies to in the period. */
  measured: number;
  /** Share meeting the threshold, 0–1; null without measures. */
  share: number | null;
  /** share ≥ goalPercent/100; null without measures. */
  met: boolean | null;
};

export type Indicators = {
  filter: IndicatorFilter;
  timeZone: string;
  totals: {
    /** Attentions that ended in the period (closed, no-show, not reached, abandoned). */
    attentions: number;
    closed: number;
    noShow: number;
    notReached: number;
    abandoned: number;
    /** Attentions of booked appointments (the no-show rate's denominator). */
    appointments: number;
  };
  volume: {
    byType: Breakdown;
    byChannel: Breakdown;
    byProcedure: Breakdown;
    byOutcome: Breakdown;
    /** 24 counts, local hour 0–23. */
    byHour: number[];
    /** 7 counts, Monday first. */
    byWeekday: number[];
    /** Attentions per local day of the period (days without any are 0). */
    byDay: { day: string; count: number }[];
  };
  waiting: DurationStats;
  handling: DurationStats;
  rates: {
    /** no-shows / appointments. */
    noShow: number | null;
    /** call-back attentions not reached, and their share of call-back attentions. */
    callbacksNotReached: number;
    callbacksNotReachedRate: number | null;
    /** closed with outcome missing_documents. */
    missingDocuments: number;
    /** closed with outcome resolved / closed. */
    firstContactResolution: number | null;
  };
  firstFree: {
    /** Availability samples taken in the period. */
    samples: number;
    /** Over the samples that found a free slot (those without one are counted in `none`). */
    averageWorkingDays: number | null;
    p90WorkingDays: number | null;
    /** Samples with no free slot within the procedure's horizon. */
    none: number;
  };
  satisfaction: {
    responses: number;
    likedAverage: number | null;
    easyAverage: number | null;
    /** 11 counts, answers 0–10. */
    likedDistribution: number[];
    easyDistribution: number[];
    /** Share answering yes to "would you use it again". */
    againShare: number | null;
    /** How many answered "would you use it again" (the share's denominator). */
    againAnswers: number;
    /** The tenant's own scale and yes/no questions (counters `sq:<question>:<value>`), in the survey's order. */
    custom: CustomQuestionResult[];
  };
  targets: TargetResult[];
};

/** The answers to one of the tenant's own survey questions. */
export type CustomQuestionResult = {
  /** The question's id in the tenant's survey settings. */
  id: string;
  /** Its wording in the asked language (the id when the question is no longer configured). */
  label: string;
  kind: 'scale' | 'yes_no';
  responses: number;
  /** Scale questions: the average answer (0–10). */
  average: number | null;
  /** Scale questions: 11 counts, answers 0–10; yes/no questions: [no, yes]. */
  distribution: number[];
  /** Yes/no questions: the share answering yes. */
  yesShare: number | null;
};

/** The live picture (no period): who waits, who attends. */
export type NowSnapshot = {
  at: string;
  waiting: { channel: 'video' | 'phone' | 'callback'; count: number; longestWaitSeconds: number | null }[];
  longestWaitSeconds: number | null;
  agents: { state: 'available' | 'busy' | 'pause' | 'offline'; count: number }[];
  inProgress: number;
};
