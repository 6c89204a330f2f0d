-- Table-table joins on primary keys: each change of either table updates the joined table
-- (rowtime: the later of the two rows); a delete becomes a tombstone where the join had a
-- row; RIGHT keys by the right table's key, FULL OUTER by the synthetic ROWKEY. Records
-- of the two topics are processed in timestamp order (the emp change at 25 before the desk
-- row at 30).
CREATE TABLE EMP (ID STRING PRIMARY KEY, NAME STRING)
    WITH (kafka_topic='emp', value_format='JSON');
CREATE TABLE DESK (ID STRING PRIMARY KEY, ROOM INT)
    WITH (kafka_topic='desk', value_format='JSON');
CREATE TABLE J_INNER AS SELECT e.ID AS K, NAME, ROOM FROM EMP e JOIN DESK d ON e.ID = d.ID;
CREATE TABLE J_LEFT AS SELECT e.ID AS K, NAME, ROOM FROM EMP e LEFT JOIN DESK d ON e.ID = d.ID;
CREATE TABLE J_RIGHT AS SELECT e.ID AS K, NAME, ROOM FROM EMP e RIGHT JOIN DESK d ON e.ID = d.ID;
CREATE TABLE J_FULL AS SELECT ROWKEY AS K, NAME, ROOM FROM EMP e FULL OUTER JOIN DESK d
    ON e.ID = d.ID;
