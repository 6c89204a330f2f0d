-- Sources whose Kafka keys are windowed (key bytes, then for sessions the end and the start,
-- for hopping windows the start, 8 bytes big-endian each). A null value passes through a
-- projection with its window (HOPS_COPY; a WHERE drops it, as any filter does); a record
-- whose key is too short for its window is skipped (processing log); PARTITION BY the key
-- column keeps the key and its window.
CREATE STREAM SESSIONS (USER_ID INT KEY, CLICKS BIGINT) WITH (kafka_topic='sessions', value_format='DELIMITED', WINDOW_TYPE='session');
CREATE STREAM LONG_SESSIONS AS SELECT USER_ID, CLICKS, WINDOWSTART AS STARTED, WINDOWEND - WINDOWSTART AS LASTED FROM SESSIONS WHERE WINDOWEND - WINDOWSTART >= 1000;
CREATE STREAM HOPS (ID BIGINT KEY, V STRING) WITH (kafka_topic='hops', value_format='JSON', WINDOW_TYPE='HOPPING', WINDOW_SIZE='10 seconds');
CREATE STREAM HOPS_COPY AS SELECT ID, UCASE(V) AS V, WINDOWEND AS WE FROM HOPS PARTITION BY ID;
