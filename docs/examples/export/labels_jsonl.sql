-- One row per detection, the same columns whichever format the dataset is in. JSON Lines: the
-- columns are listed, so fields a job lacks (model 2.0 has no Categories) read as NULL, and
-- job_id comes from the path, typed as text (a job id of digits only stays a string).
CREATE OR REPLACE VIEW labels AS
SELECT
    job_id,
    "Timestamp" AS timestamp_ms,
    "Label"."Name" AS name,
    "Label"."Confidence" AS confidence,
    [p."Name" FOR p IN "Label"."Parents"] AS parents,
    [c."Name" FOR c IN "Label"."Categories"] AS categories
FROM read_json(
    'dataset/*/labels.jsonl',
    format = 'newline_delimited',
    hive_partitioning = true,
    hive_types = {'job_id': 'VARCHAR'},
    columns = {
        'Timestamp': 'BIGINT',
        'Label': 'STRUCT("Name" VARCHAR, "Confidence" DOUBLE,
                         "Parents" STRUCT("Name" VARCHAR)[], "Categories" STRUCT("Name" VARCHAR)[])'
    }
);

-- One row per video: the job-level fields, from each job's _rekolabels.json record.
CREATE OR REPLACE VIEW videos AS
SELECT
    job_id,
    job."Video"."S3Object"."Bucket" AS video_bucket,
    job."Video"."S3Object"."Name" AS video_name,
    job."VideoMetadata"."DurationMillis" AS video_duration_ms,
    job."VideoMetadata"."FrameRate" AS frame_rate,
    job."LabelModelVersion" AS label_model_version
FROM read_json('dataset/*/_rekolabels.json', hive_partitioning = true,
               hive_types = {'job_id': 'VARCHAR'});
