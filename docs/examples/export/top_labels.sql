-- The labels seen in the most videos across the fleet, with their total screen time.
SELECT name,
       count(*) AS videos,
       sum(screen_time_ms) / 1000 AS total_seconds,
       max(max_confidence) AS max_confidence
FROM screen_time
GROUP BY name
ORDER BY videos DESC, total_seconds DESC, name
LIMIT 10;
