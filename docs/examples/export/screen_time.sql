-- Screen time per label per video: each segment counts for its duration plus one sampling
-- period (each sample stands for one period), as rekolabels.summarize_labels counts it.
CREATE OR REPLACE VIEW screen_time AS
SELECT job_id, name,
       count(*) AS segments,
       sum(duration_ms + coalesce(period_ms, 0)) AS screen_time_ms,
       max(confidence) AS max_confidence
FROM segments LEFT JOIN periods USING (job_id)
GROUP BY job_id, name;

SELECT job_id, name, segments, screen_time_ms
FROM screen_time
ORDER BY job_id, screen_time_ms DESC, name;
