-- Stream-table LEFT JOIN: unmatched stream rows keep NULL table columns; INT keys in the
-- KAFKA key format; a tombstone removes the table row; a null stream value is dropped.
CREATE STREAM CLICKS (USER_ID INT KEY, PAGE STRING)
    WITH (kafka_topic='clicks', value_format='JSON');
CREATE TABLE USERS (USER_ID INT PRIMARY KEY, NAME STRING, TS BIGINT)
    WITH (kafka_topic='users', value_format='JSON');
CREATE STREAM CLICKS_NAMED AS
    SELECT c.USER_ID AS UID, PAGE, NAME, u.USER_ID AS TABLE_ID
    FROM CLICKS c LEFT OUTER JOIN USERS u ON c.USER_ID = u.USER_ID;
