-- Videos in which a label is on screen for at least N seconds, longest first:
-- SET VARIABLE label = 'Car'; SET VARIABLE min_seconds = 30;
SELECT v.video_name, s.job_id, s.screen_time_ms / 1000 AS seconds, s.segments
FROM screen_time AS s JOIN videos AS v USING (job_id)
WHERE s.name = getvariable('label')
  AND s.screen_time_ms >= getvariable('min_seconds') * 1000
ORDER BY seconds DESC, s.job_id;
