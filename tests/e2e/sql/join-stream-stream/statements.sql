-- Stream-stream joins with WITHIN: a record meets the other stream's records of its key
-- within the window (WITHIN (before, after) measured from the left record); one row per
-- match at the later timestamp. Outer sides emit unmatched records at once with NULLs
-- (no GRACE PERIOD: ksqlDB's eager outer results); FULL OUTER is keyed by ROWKEY.
CREATE STREAM VIEWS (USER_ID STRING KEY, PAGE STRING)
    WITH (kafka_topic='views', value_format='JSON');
CREATE STREAM CLICKS (USER_ID STRING KEY, BUTTON STRING)
    WITH (kafka_topic='clicks', value_format='JSON');
CREATE STREAM J_INNER AS SELECT v.USER_ID, PAGE, BUTTON
    FROM VIEWS v JOIN CLICKS c WITHIN 10 SECONDS ON v.USER_ID = c.USER_ID;
CREATE STREAM J_LEFT AS SELECT v.USER_ID, PAGE, BUTTON
    FROM VIEWS v LEFT JOIN CLICKS c WITHIN (0 SECONDS, 5 SECONDS) ON v.USER_ID = c.USER_ID;
CREATE STREAM J_FULL AS SELECT ROWKEY AS U, PAGE, BUTTON
    FROM VIEWS v FULL OUTER JOIN CLICKS c WITHIN 10 SECONDS ON v.USER_ID = c.USER_ID;
