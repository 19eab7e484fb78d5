-- Indicators kept up to date by the database itself (hand-written).
-- Every attention that reaches an end state (closed, no_show, not_reached,
-- abandoned) and every survey answer adds a bag of counters to
-- indicator_rollups: one row per local day and one per local month, per
-- procedure, channel and agent (plus the all-agents and all-procedures rows). An attention that
-- leaves an end state (abandoned → waiting again) takes its counters back.
-- Statement-level triggers aggregate a whole statement's rows and upsert the
-- rollup rows in key order, so concurrent statements cannot deadlock on them.
-- Counter keys are documented in server/modules/indicators/counters.ts.

-- The attentions of a row as a plain column, so that listings by procedure and by
-- day read it without opening the counters (which are stored compressed, apart).
-- Not declared in schema.ts: only raw SQL reads it.
ALTER TABLE indicator_rollups ADD COLUMN n bigint GENERATED ALWAYS AS (coalesce((counts ->> 'n')::bigint, 0)) STORED;
--> statement-breakpoint
-- Listings by day and by procedure read only this index (index-only scans): a
-- department's year is thousands of day rows scattered over the heap, which
-- would otherwise cost a page read each. Vacuumed early so the visibility map
-- lets the scans skip the heap for the days that no longer change.
CREATE INDEX indicator_rollups_n_idx ON indicator_rollups (tenant_id, grain, agent_key, procedure_id, period_start, channel) INCLUDE (n);
--> statement-breakpoint
ALTER TABLE indicator_rollups SET (autovacuum_vacuum_insert_scale_factor = 0.05, autovacuum_vacuum_scale_factor = 0.05);
--> statement-breakpoint
-- A duration (seconds) → the upper edge of its histogram bucket, as text:
-- 15 s steps to 10 min, 1 min to 1 h, 5 min to 4 h, 30 min to 24 h, then 'inf'.
-- Mirrored by server/modules/indicators/histogram.ts (tested to agree).
CREATE OR REPLACE FUNCTION fin_duration_bucket(s double precision) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN s IS NULL THEN NULL
    WHEN s <= 0 THEN '0'
    WHEN s <= 600 THEN (ceil(s / 15) * 15)::bigint::text
    WHEN s <= 3600 THEN (ceil(s / 60) * 60)::bigint::text
    WHEN s <= 14400 THEN (ceil(s / 300) * 300)::bigint::text
    WHEN s <= 86400 THEN (ceil(s / 1800) * 1800)::bigint::text
    ELSE 'inf'
  END
$$;
--> statement-breakpoint
-- The counters one attention adds, or NULL while it is not in an end state.
-- Waiting runs from when the citizen was due or joined, whichever is later: a
-- citizen who enters the waiting room early, or a call-back queued a few minutes
-- before its time, has not been kept waiting before the time they were given.
-- (PL/pgSQL: one expression, evaluated fast; a SQL function with sub-selects is
-- not inlined and costs five times more per row.)
CREATE OR REPLACE FUNCTION fin_attention_counts(
  p_status text, p_outcome text, p_typology uuid, p_appointment uuid,
  p_due timestamptz, p_queued timestamptz, p_taken timestamptz, p_closed timestamptz, p_tz text
) RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  local_due timestamp := p_due AT TIME ZONE p_tz;
  closed boolean := p_status = 'closed';
  w double precision := CASE WHEN p_taken IS NOT NULL THEN greatest(0, extract(epoch FROM p_taken - greatest(p_queued, p_due))) END;
  hd double precision := CASE WHEN closed AND p_taken IS NOT NULL AND p_closed IS NOT NULL THEN greatest(0, extract(epoch FROM p_closed - p_taken)) END;
BEGIN
  IF p_status NOT IN ('closed', 'no_show', 'not_reached', 'abandoned') THEN RETURN NULL; END IF;
  RETURN jsonb_strip_nulls(jsonb_build_object(
    'n', 1,
    'st:' || p_status, 1,
    'h:' || extract(hour FROM local_due)::int, 1,
    'wd:' || extract(isodow FROM local_due)::int, 1,
    'appt', CASE WHEN p_appointment IS NOT NULL THEN 1 END,
    'oc:' || coalesce(p_outcome, '-'), CASE WHEN closed AND p_outcome IS NOT NULL THEN 1 END,
    'ty:' || coalesce(p_typology::text, '-'), CASE WHEN closed AND p_typology IS NOT NULL THEN 1 END,
    'w:' || coalesce(fin_duration_bucket(w), '-'), CASE WHEN w IS NOT NULL THEN 1 END,
    'wn', CASE WHEN w IS NOT NULL THEN 1 END,
    'ws', round(w)::bigint,
    'hd:' || coalesce(fin_duration_bucket(hd), '-'), CASE WHEN hd IS NOT NULL THEN 1 END,
    'hdn', CASE WHEN hd IS NOT NULL THEN 1 END,
    'hds', round(hd)::bigint));
END
$$;
--> statement-breakpoint
-- The counters one survey answer adds: distributions of the default questions
-- and of the tenant's own scale and yes/no questions (text answers are not counted).
CREATE OR REPLACE FUNCTION fin_survey_counts(p_liked smallint, p_easy smallint, p_again boolean, p_answers jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
      'sv', 1,
      'sl:' || coalesce(p_liked::text, '-'), CASE WHEN p_liked IS NOT NULL THEN 1 END,
      'se:' || coalesce(p_easy::text, '-'), CASE WHEN p_easy IS NOT NULL THEN 1 END,
      'sa:' || CASE WHEN p_again THEN '1' ELSE '0' END, CASE WHEN p_again IS NOT NULL THEN 1 END
    )) || coalesce((
      SELECT jsonb_object_agg(
        'sq:' || key || ':' || CASE jsonb_typeof(value) WHEN 'boolean' THEN CASE WHEN value = 'true'::jsonb THEN '1' ELSE '0' END ELSE value #>> '{}' END,
        1)
      FROM jsonb_each(coalesce(p_answers, '{}'::jsonb))
      WHERE jsonb_typeof(value) IN ('number', 'boolean')
    ), '{}'::jsonb)
$$;
--> statement-breakpoint
-- Two bags of counters added key by key; keys that reach zero are dropped.
CREATE OR REPLACE FUNCTION fin_counts_add(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM (
    SELECT k, sum(v) AS v FROM (
      SELECT key AS k, (value #>> '{}')::bigint AS v FROM jsonb_each(coalesce(a, '{}'::jsonb))
      UNION ALL
      SELECT key, (value #>> '{}')::bigint FROM jsonb_each(coalesce(b, '{}'::jsonb))
    ) s GROUP BY k HAVING sum(v) <> 0
  ) t
$$;
--> statement-breakpoint
-- One contribution to the rollups: whose (tenant, procedure, channel, agent), when
-- (local day in the tenant's zone), what (a bag of counters), and its sign.
CREATE TYPE fin_contrib AS (
  tenant_id uuid, procedure_id uuid, channel text, at timestamptz, tz text, agent_id uuid, counts jsonb, sign int
);
--> statement-breakpoint
-- The one way counters enter the rollups (triggers, backfill, availability samples).
-- The counters are first summed per local day, procedure, channel and agent,
-- then spread to the six rows they count in: day and month, each for (the
-- procedure, all agents), (the procedure, the agent) and (all procedures, all
-- agents) — the last so that a period over every procedure reads a dozen rows.
CREATE OR REPLACE FUNCTION fin_rollup_upsert(c fin_contrib[]) RETURNS void
LANGUAGE sql SET work_mem = '64MB' AS $$
  WITH fine AS (
    SELECT x.tenant_id, (x.at AT TIME ZONE x.tz)::date AS local_day, x.procedure_id, x.channel, x.agent_id,
           kv.key AS k, sum((kv.value #>> '{}')::bigint * x.sign) AS v
    FROM unnest(c) x
    CROSS JOIN LATERAL jsonb_each(x.counts) kv
    WHERE x.counts IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6
  ), spread AS (
    SELECT f.tenant_id, g.grain, ak.agent_key,
           CASE WHEN g.grain = 'day' THEN f.local_day ELSE date_trunc('month', f.local_day)::date END AS period_start,
           ak.procedure_id, f.channel, f.k, sum(f.v) AS v
    FROM fine f
    CROSS JOIN (VALUES ('day'), ('month')) g(grain)
    CROSS JOIN LATERAL (
      SELECT '00000000-0000-0000-0000-000000000000'::uuid, f.procedure_id
      UNION ALL SELECT f.agent_id, f.procedure_id WHERE f.agent_id IS NOT NULL
      UNION ALL SELECT '00000000-0000-0000-0000-000000000000'::uuid, '00000000-0000-0000-0000-000000000000'::uuid
    ) ak(agent_key, procedure_id)
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(f.v) <> 0
  )
  INSERT INTO indicator_rollups AS r (tenant_id, grain, agent_key, period_start, procedure_id, channel, counts)
  SELECT tenant_id, grain, agent_key, period_start, procedure_id, channel, jsonb_object_agg(k, v)
  FROM spread
  GROUP BY 1, 2, 3, 4, 5, 6
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (tenant_id, grain, agent_key, period_start, procedure_id, channel)
  DO UPDATE SET counts = fin_counts_add(r.counts, EXCLUDED.counts)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION fin_attentions_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM fin_rollup_upsert(ARRAY(
      SELECT ROW(n.tenant_id, n.procedure_id, n.channel, n.due_at, t.time_zone, coalesce(n.agent_id, ap.agent_id),
                 fin_attention_counts(n.status, n.outcome, n.typology_id, n.appointment_id, n.due_at, n.queued_at, n.taken_at, n.closed_at, t.time_zone),
                 1)::fin_contrib
      FROM new_rows n
      JOIN tenants t ON t.id = n.tenant_id
      LEFT JOIN appointments ap ON ap.id = n.appointment_id
      WHERE n.status IN ('closed', 'no_show', 'not_reached', 'abandoned')));
  ELSE
    PERFORM fin_rollup_upsert(ARRAY(
      SELECT ROW(x.tenant_id, x.procedure_id, x.channel, x.due_at, t.time_zone, coalesce(x.agent_id, ap.agent_id),
                 fin_attention_counts(x.status, x.outcome, x.typology_id, x.appointment_id, x.due_at, x.queued_at, x.taken_at, x.closed_at, t.time_zone),
                 x.sign)::fin_contrib
      FROM (
        SELECT o.*, -1 AS sign FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.status IN ('closed', 'no_show', 'not_reached', 'abandoned')
          AND (o.status, o.outcome, o.typology_id, o.agent_id, o.procedure_id, o.channel, o.due_at, o.queued_at, o.taken_at, o.closed_at)
              IS DISTINCT FROM (n.status, n.outcome, n.typology_id, n.agent_id, n.procedure_id, n.channel, n.due_at, n.queued_at, n.taken_at, n.closed_at)
        UNION ALL
        SELECT n.*, 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.status IN ('closed', 'no_show', 'not_reached', 'abandoned')
          AND (o.status, o.outcome, o.typology_id, o.agent_id, o.procedure_id, o.channel, o.due_at, o.queued_at, o.taken_at, o.closed_at)
              IS DISTINCT FROM (n.status, n.outcome, n.typology_id, n.agent_id, n.procedure_id, n.channel, n.due_at, n.queued_at, n.taken_at, n.closed_at)
      ) x
      JOIN tenants t ON t.id = x.tenant_id
      LEFT JOIN appointments ap ON ap.id = x.appointment_id));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER attentions_rollup_insert AFTER INSERT ON attentions
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fin_attentions_rollup();
--> statement-breakpoint
CREATE TRIGGER attentions_rollup_update AFTER UPDATE ON attentions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fin_attentions_rollup();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION fin_survey_rollup() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fin_rollup_upsert(ARRAY(
    SELECT ROW(a.tenant_id, a.procedure_id, a.channel, a.due_at, t.time_zone, coalesce(a.agent_id, ap.agent_id),
               fin_survey_counts(s.liked, s.easy, s.again, s.answers), 1)::fin_contrib
    FROM new_rows s
    JOIN attentions a ON a.id = s.attention_id
    JOIN tenants t ON t.id = a.tenant_id
    LEFT JOIN appointments ap ON ap.id = a.appointment_id));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER survey_responses_rollup AFTER INSERT ON survey_responses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fin_survey_rollup();
--> statement-breakpoint
-- Backfill: what already ended before this migration.
SELECT fin_rollup_upsert(ARRAY(
  SELECT ROW(a.tenant_id, a.procedure_id, a.channel, a.due_at, t.time_zone, coalesce(a.agent_id, ap.agent_id),
             fin_attention_counts(a.status, a.outcome, a.typology_id, a.appointment_id, a.due_at, a.queued_at, a.taken_at, a.closed_at, t.time_zone),
             1)::fin_contrib
  FROM attentions a JOIN tenants t ON t.id = a.tenant_id LEFT JOIN appointments ap ON ap.id = a.appointment_id
  WHERE a.status IN ('closed', 'no_show', 'not_reached', 'abandoned')));
--> statement-breakpoint
SELECT fin_rollup_upsert(ARRAY(
  SELECT ROW(a.tenant_id, a.procedure_id, a.channel, a.due_at, t.time_zone, coalesce(a.agent_id, ap.agent_id),
             fin_survey_counts(s.liked, s.easy, s.again, s.answers), 1)::fin_contrib
  FROM survey_responses s JOIN attentions a ON a.id = s.attention_id JOIN tenants t ON t.id = a.tenant_id
  LEFT JOIN appointments ap ON ap.id = a.appointment_id));
