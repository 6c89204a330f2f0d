-- Table-table joins on primary keys: each change of either table updates the joined table
-- (rowtime: the later of the two rows); a delete becomes a tombstone where the join had a
-- row; RIGHT keys by the right table's key, FULL OUTER by the synthetic ROWKEY. `eddy test`
-- runs the queries after each input record, so records are processed in file order (the
-- desk row at 30 before the emp change at 25), as ksqlDB's test runner does.
CREATE TABLE EMP (ID STRING PRIMARY KEY, NAME STRING)
    WITH (kafka_topic='emp', value_format='JSON');
CREATE TABLE DESK (ID STRING PRIMARY KEY, ROOM INT)
    WITH (kafka_topic='desk', value_format='JSON');
CREATE TABLE J_INNER AS SELECT e.ID AS K, NAME, ROOM FROM EMP e JOIN DESK d ON e.ID = d.ID;
CREATE TABLE J_LEFT AS SELECT e.ID AS K, NAME, ROOM FROM EMP e LEFT JOIN DESK d ON e.ID = d.ID;
CREATE TABLE J_RIGHT AS SELECT e.ID AS K, NAME, ROOM FROM EMP e RIGHT JOIN DESK d ON e.ID = d.ID;
CREATE TABLE J_FULL AS SELECT ROWKEY AS K, NAME, ROOM FROM EMP e FULL OUTER JOIN DESK d
    ON e.ID = d.ID;
