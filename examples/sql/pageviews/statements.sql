-- Views of one page, with the time of day: a filter and a projection over the example topic
-- 'pageviews' (examples/data/pageviews.json, which `make run` loads into ./eddy-data).
-- Check it with `eddy test` (README.md) or run it on the data with `eddy run`.
SET 'auto.offset.reset'='earliest';

CREATE STREAM PAGEVIEWS (USERID STRING KEY, VIEWTIME BIGINT, PAGEID STRING)
    WITH (KAFKA_TOPIC='pageviews', VALUE_FORMAT='JSON', TIMESTAMP='VIEWTIME');

CREATE STREAM PAGE_11_VIEWS AS
    SELECT USERID, TIMESTAMPTOSTRING(VIEWTIME, 'HH:mm:ss', 'UTC') AS VIEWED_AT
    FROM PAGEVIEWS
    WHERE PAGEID = 'Page_11';
