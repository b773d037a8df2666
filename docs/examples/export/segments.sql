-- The segment rule of rekolabels.aggregate_segments, in SQL. A job's sample grid is the set of
-- its distinct timestamps; two consecutive detections of a label are in one segment when no
-- sample of the grid lies between them (the label was seen at every sample in between), or
-- when they are at most max_gap_ms apart (SET VARIABLE max_gap_ms = 1000; unset: no gap rule).
CREATE OR REPLACE VIEW segments AS
WITH grid AS (
    SELECT job_id, timestamp_ms,
           row_number() OVER (PARTITION BY job_id ORDER BY timestamp_ms) AS sample
    FROM (SELECT DISTINCT job_id, timestamp_ms FROM labels)
),
runs AS (
    SELECT job_id, name, timestamp_ms, confidence, sample,
           sample - lag(sample) OVER w AS samples_since,
           timestamp_ms - lag(timestamp_ms) OVER w AS ms_since
    FROM labels JOIN grid USING (job_id, timestamp_ms)
    WINDOW w AS (PARTITION BY job_id, name ORDER BY timestamp_ms)
),
numbered AS (
    SELECT *,
           sum(CASE WHEN samples_since IS NULL
                     OR (samples_since > 1 AND (getvariable('max_gap_ms') IS NULL
                                                OR ms_since > getvariable('max_gap_ms')))
                    THEN 1 ELSE 0 END)
               OVER (PARTITION BY job_id, name ORDER BY timestamp_ms
                     ROWS UNBOUNDED PRECEDING) AS segment
    FROM runs
)
SELECT job_id, name, segment,
       min(timestamp_ms) AS start_ms,
       max(timestamp_ms) AS end_ms,
       max(timestamp_ms) - min(timestamp_ms) AS duration_ms,
       max(confidence) AS confidence,
       count(*) AS samples
FROM numbered
GROUP BY job_id, name, segment;

-- Each job's sampling period: the most common step between its samples (ties: the shorter),
-- as rekolabels.sampling_period_ms has it. Jobs of a single sample have none.
CREATE OR REPLACE VIEW periods AS
WITH steps AS (
    SELECT job_id,
           timestamp_ms - lag(timestamp_ms) OVER (PARTITION BY job_id ORDER BY timestamp_ms) AS step
    FROM (SELECT DISTINCT job_id, timestamp_ms FROM labels)
)
SELECT job_id, arg_min(step, (-n, step)) AS period_ms
FROM (SELECT job_id, step, count(*) AS n FROM steps WHERE step IS NOT NULL GROUP BY ALL)
GROUP BY job_id;
