-- SELECT * over a stream-table join: every column of both sides under <SIDE>_<NAME> (the
-- source name when there is no alias); the stream's key column is the key.
CREATE STREAM READINGS (SENSOR STRING KEY, VAL DOUBLE)
    WITH (kafka_topic='readings', value_format='JSON');
CREATE TABLE SENSORS (SENSOR STRING PRIMARY KEY, ROOM STRING, VAL DOUBLE)
    WITH (kafka_topic='sensors', value_format='JSON');
CREATE STREAM ALL_COLS AS SELECT * FROM READINGS JOIN SENSORS s ON READINGS.SENSOR = s.SENSOR;
CREATE STREAM CLASH AS SELECT READINGS.SENSOR, READINGS.VAL, s.VAL, ROOM
    FROM READINGS JOIN SENSORS s ON READINGS.SENSOR = s.SENSOR;
