/** What a waiting citizen is told: their place in the queue and an estimated wait. */

/** Used until the town hall has closed attentions of its own to average. */
const DEFAULT_HANDLING_SECONDS = 15 * 60;

export function estimateWaitMinutes(position: number, agentsOnDuty: number, averageHandlingSeconds: number | null): number {
  const handling = averageHandlingSeconds && averageHandlingSeconds > 0 ? averageHandlingSeconds : DEFAULT_HANDLING_SECONDS;
  const agents = Math.max(1, agentsOnDuty);
  // Everyone ahead is shared among the agents; the citizen is served when their turn's agent frees up.
  return Math.max(1, Math.round((Math.ceil(position / agents) - (agentsOnDuty > 0 ? 0.5 : 0)) * (handling / 60)));
}
