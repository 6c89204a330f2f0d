-- A stream joined on a value column (and on an expression) is repartitioned by it first:
-- the join column becomes the key, the stream's old key a value column; with an
-- expression the table's key column names the key. Rows whose join value is NULL are
-- dropped before the join.
CREATE STREAM PAYMENTS (PAY_ID STRING KEY, ACCOUNT INT, AMOUNT DOUBLE)
    WITH (kafka_topic='payments', value_format='JSON');
CREATE TABLE ACCOUNTS (ID INT PRIMARY KEY, OWNER STRING)
    WITH (kafka_topic='accounts', value_format='JSON');
CREATE STREAM BY_ACCOUNT AS SELECT * FROM PAYMENTS p LEFT JOIN ACCOUNTS a ON p.ACCOUNT = a.ID;
CREATE STREAM BY_NEXT AS SELECT a.ID, PAY_ID, OWNER
    FROM PAYMENTS p JOIN ACCOUNTS a ON p.ACCOUNT + 1 = a.ID;
