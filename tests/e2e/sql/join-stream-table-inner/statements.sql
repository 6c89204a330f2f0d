-- Stream-table INNER JOIN on the table's primary key: each order meets the customer row as
-- it stands at the order's time (the table record first when the timestamps are equal);
-- orders without a customer are dropped; a tombstone removes the customer.
CREATE STREAM ORDERS (CUST STRING KEY, ITEM STRING, QTY INT)
    WITH (kafka_topic='orders', value_format='JSON');
CREATE TABLE CUSTOMERS (ID STRING PRIMARY KEY, NAME STRING, CITY STRING)
    WITH (kafka_topic='customers', value_format='JSON');
CREATE STREAM ENRICHED AS
    SELECT o.CUST, ITEM, QTY * 2 AS DOUBLE_QTY, NAME, c.CITY AS TOWN, c.ROWTIME AS CUST_TIME
    FROM ORDERS o JOIN CUSTOMERS c ON o.CUST = c.ID
    WHERE QTY > 0;
