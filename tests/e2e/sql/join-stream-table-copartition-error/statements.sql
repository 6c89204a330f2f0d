-- A stream-table join needs co-partitioned inputs.
CREATE STREAM ORDERS (CUST STRING KEY, ITEM STRING)
    WITH (kafka_topic='orders2', value_format='JSON', partitions=2);
CREATE TABLE CUSTOMERS (ID STRING PRIMARY KEY, NAME STRING)
    WITH (kafka_topic='customers3', value_format='JSON', partitions=3);
CREATE STREAM ENRICHED AS
    SELECT o.CUST, ITEM, NAME FROM ORDERS o JOIN CUSTOMERS c ON o.CUST = c.ID;
