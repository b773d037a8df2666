-- The same two views over a Parquet dataset: the table schema's columns as they are, and the
-- job's own columns, on every row (so a query needs no join). job_id comes from the path,
-- typed as text.
CREATE OR REPLACE VIEW labels AS
SELECT job_id, timestamp_ms, name, confidence, parents, categories
FROM read_parquet('dataset/*/labels.parquet', hive_partitioning = true,
                  hive_types = {'job_id': 'VARCHAR'});

CREATE OR REPLACE VIEW videos AS
SELECT job_id,
       any_value(video_bucket) AS video_bucket,
       any_value(video_name) AS video_name,
       any_value(video_duration_ms) AS video_duration_ms,
       any_value(frame_rate) AS frame_rate,
       any_value(label_model_version) AS label_model_version
FROM read_parquet('dataset/*/labels.parquet', hive_partitioning = true,
                  hive_types = {'job_id': 'VARCHAR'})
GROUP BY job_id;
