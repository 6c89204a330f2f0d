-- A new key for a windowed source would need a repartition, which ksqlDB refuses.
CREATE STREAM SESSIONS (USER_ID INT KEY, REGION STRING) WITH (kafka_topic='sessions', value_format='JSON', WINDOW_TYPE='Session');
CREATE STREAM BY_REGION AS SELECT * FROM SESSIONS PARTITION BY REGION;
