#!/usr/bin/env bash
# join_restart.sh - a stream-table join under `eddy run` keeps its materialized table across
# restarts: orders written after a restart still meet the customers written before it, and
# nothing already joined is joined again. Three restarts: after SIGINT (state resumed from
# its checkpoint), after kill -9, and after kill -9 with the LMDB state deleted (the table is
# rebuilt from the join's changelog topic). A table-table join (CONTACTS) restarts alike.
source "$(dirname "$0")/lib/e2e.bash"

head_sql() {
    cat <<'SQL'
SET 'auto.offset.reset'='earliest';
CREATE STREAM ORDERS (CUST STRING KEY, ITEM STRING)
    WITH (KAFKA_TOPIC='orders', PARTITIONS=2, VALUE_FORMAT='JSON');
CREATE TABLE CUSTOMERS (ID STRING PRIMARY KEY, NAME STRING)
    WITH (KAFKA_TOPIC='customers', PARTITIONS=2, VALUE_FORMAT='JSON');
CREATE STREAM ENRICHED AS SELECT o.CUST, ITEM, NAME
    FROM ORDERS o JOIN CUSTOMERS c ON o.CUST = c.ID;
CREATE TABLE PHONES (ID STRING PRIMARY KEY, PHONE STRING)
    WITH (KAFKA_TOPIC='phones', PARTITIONS=2, VALUE_FORMAT='JSON');
CREATE TABLE CONTACTS AS SELECT c.ID, NAME, PHONE
    FROM CUSTOMERS c LEFT JOIN PHONES p ON c.ID = p.ID;
SQL
}

{ head_sql; cat <<'SQL'
INSERT INTO CUSTOMERS (ID, NAME, ROWTIME) VALUES ('a', 'ann', 1000);
INSERT INTO CUSTOMERS (ID, NAME, ROWTIME) VALUES ('b', 'bob', 1000);
INSERT INTO ORDERS (CUST, ITEM, ROWTIME) VALUES ('a', 'tea', 2000);
INSERT INTO ORDERS (CUST, ITEM, ROWTIME) VALUES ('b', 'jam', 2000);
SQL
} >"$T/run1.sql"
{ head_sql; cat <<'SQL'
INSERT INTO PHONES (ID, PHONE, ROWTIME) VALUES ('b', '222', 3000);
INSERT INTO ORDERS (CUST, ITEM, ROWTIME) VALUES ('a', 'pie', 3000);
INSERT INTO ORDERS (CUST, ITEM, ROWTIME) VALUES ('b', 'bun', 3000);
SQL
} >"$T/run2.sql"
{ head_sql; echo "INSERT INTO ORDERS (CUST, ITEM, ROWTIME) VALUES ('b', 'fig', 4000);"; } \
    >"$T/run3.sql"
{ head_sql; echo "INSERT INTO ORDERS (CUST, ITEM, ROWTIME) VALUES ('a', 'nut', 5000);"; } \
    >"$T/run4.sql"

count_in_topic() {
    cat "$EDDY_DATA/topics/$1"/*/*.log 2>/dev/null | grep -aoF -- "$2" | wc -l
}

# run_until SIGNAL N SCRIPT: run SCRIPT until ENRICHED holds N records (and CONTACTS
# $CONTACTS records), then send SIGNAL.
run_until() {
    local sig=$1 want=$2 script=$3
    "$EDDY" run "$script" >"$T/run.out" 2>"$T/run.err" </dev/null &
    local pid=$!
    E2E_PIDS+=("$pid")
    local i
    for ((i = 0; i < 2000; i++)); do
        [ "$(count_in_topic ENRICHED '"ITEM":')" -ge "$want" ] &&
            [ "$(count_in_topic CONTACTS '"NAME":')" -ge "${CONTACTS:-0}" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    kill -0 "$pid" 2>/dev/null || fail "eddy run exited early: $(cat "$T/run.err")"
    ((i < 2000)) || fail "ENRICHED has $(count_in_topic ENRICHED '"ITEM":') records, \
expected $want: $(cat "$T/run.err")"
    sleep 0.3   # let a commit happen (commit interval 100 ms) before a kill -9, or not
    kill "-$sig" "$pid"
    wait "$pid" 2>/dev/null
}

joined() {
    ok "$EDDY" topic consume ENRICHED --from-beginning --timeout-ms 200 --print-key
    sort "$T/out" >"$T/joined"
}

CONTACTS=2 run_until INT 2 "$T/run1.sql"
joined
printf 'a\t{"ITEM":"tea","NAME":"ann"}\nb\t{"ITEM":"jam","NAME":"bob"}\n' >"$T/want"
same "$T/joined" "$T/want" "ENRICHED after the first run"

CONTACTS=3 run_until INT 4 "$T/run2.sql"
joined
printf '%s\n' 'a	{"ITEM":"pie","NAME":"ann"}' 'a	{"ITEM":"tea","NAME":"ann"}' \
    'b	{"ITEM":"bun","NAME":"bob"}' 'b	{"ITEM":"jam","NAME":"bob"}' >"$T/want"
same "$T/joined" "$T/want" "ENRICHED after a restart (checkpoint)"
grep -q 'state resumed from its checkpoint' "$T/run.err" ||
    fail "second run did not resume its state: $(cat "$T/run.err")"
# the table-table join: bob's phone, written after the restart, meets bob's row from before
ok "$EDDY" topic consume CONTACTS --from-beginning --timeout-ms 200 --print-key
grep -qxF 'b	{"NAME":"bob","PHONE":"222"}' "$T/out" ||
    fail "CONTACTS after a restart: $(cat "$T/out")"
[ "$(grep -c . "$T/out")" -eq 3 ] || fail "CONTACTS has duplicates: $(cat "$T/out")"

run_until KILL 5 "$T/run3.sql"
joined
grep -qxF 'b	{"ITEM":"fig","NAME":"bob"}' "$T/joined" || fail "after kill -9: $(cat "$T/joined")"

[ -d "$EDDY_DATA/state" ] || fail "no state directory under $EDDY_DATA: $(ls "$EDDY_DATA")"
rm -rf "$EDDY_DATA/state"
run_until KILL 6 "$T/run4.sql"
joined
grep -qxF 'a	{"ITEM":"nut","NAME":"ann"}' "$T/joined" ||
    fail "after the state was deleted: $(cat "$T/joined")"
grep -q 'state rebuilt from the changelog (epoch [0-9]*, 2 records restored' "$T/run.err" ||
    fail "the table was not rebuilt from the changelog: $(cat "$T/run.err")"
echo "join_restart: ok"
