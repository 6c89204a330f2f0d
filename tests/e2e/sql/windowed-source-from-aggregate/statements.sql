-- A stream over the windowed output topic of an aggregation (WINDOW_TYPE/WINDOW_SIZE): its
-- keys are read with their windows, WINDOWSTART/WINDOWEND (end = start + WINDOW_SIZE) can be
-- filtered on with timestamp strings and selected under an alias, and the output keeps the
-- window of each record.
CREATE STREAM CLICKS (USER_ID STRING KEY, PAGE STRING) WITH (kafka_topic='clicks', value_format='JSON');
CREATE TABLE PER_MINUTE AS SELECT USER_ID, COUNT(*) AS N FROM CLICKS WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY USER_ID;
CREATE STREAM PER_MINUTE_S (USER_ID STRING KEY, N BIGINT) WITH (kafka_topic='PER_MINUTE', value_format='JSON', WINDOW_TYPE='Tumbling', WINDOW_SIZE='60 SECONDS');
CREATE STREAM BUSY AS SELECT USER_ID, N, WINDOWEND AS WEND FROM PER_MINUTE_S WHERE N >= 2 AND WINDOWSTART >= '2024-01-01T00:01:00.000+0000';
