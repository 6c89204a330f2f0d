#!/usr/bin/env bash
# sql_run.sh - `eddy run FILE.sql` end to end: a script that creates a stream, starts a
# CREATE STREAM AS SELECT reading from the earliest offset and inserts its input with INSERT
# VALUES runs in the background until SIGINT; it must exit 0 and leave the expected records
# in the output topic (read afterwards with `eddy topic consume`, since only one process may
# open a data directory).
#
# A second run of the same script on the same directory shows today's behaviour (the catalog
# is not persisted yet; README.md, "eddy run"): its CREATE statements succeed again, its
# INSERT VALUES insert again, and the query, which gets the same ID, resumes from the offsets
# its first run committed, so only the new input reaches the output.
#
# Also: a script without persistent queries exits at once, a statement error exits 1 with
# one line naming file, line and column and runs nothing after it, SIGTERM stops like SIGINT.
source "$(dirname "$0")/lib/e2e.bash"

cat >"$T/orders.sql" <<'EOF'
SET 'auto.offset.reset'='earliest';
CREATE STREAM ORDERS (ID STRING KEY, ITEM STRING, QTY INT)
    WITH (KAFKA_TOPIC='orders', PARTITIONS=2, VALUE_FORMAT='JSON');
CREATE STREAM BIG AS SELECT ID, UCASE(ITEM) AS ITEM, QTY * 10 AS QTY10
    FROM ORDERS WHERE QTY > 1;
INSERT INTO ORDERS (ID, ITEM, QTY, ROWTIME) VALUES ('a', 'tea', 1, 1000);
INSERT INTO ORDERS (ID, ITEM, QTY, ROWTIME) VALUES ('b', 'cake', 2, 2000);
INSERT INTO ORDERS (ID, ITEM, QTY, ROWTIME) VALUES ('c', 'jam', 3, 3000);
EOF

# count_in_topic TOPIC TEXT: how often TEXT occurs in the topic's segment files (read
# directly: the running eddy holds the data directory's lock).
count_in_topic() {
    cat "$EDDY_DATA/topics/$1"/*/*.log 2>/dev/null | grep -aoF -- "$2" | wc -l
}

# run_until SIGNAL N ARGS...: start `eddy run ARGS` in the background, wait until BIG holds
# N records, stop it with SIGNAL and require exit status 0. Output in $T/run.out, run.err.
run_until() {
    local sig=$1 want=$2
    shift 2
    "$EDDY" run "$@" >"$T/run.out" 2>"$T/run.err" </dev/null &
    local pid=$!
    E2E_PIDS+=("$pid")
    local i
    for ((i = 0; i < 1000; i++)); do
        [ "$(count_in_topic BIG '"QTY10":')" -ge "$want" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    kill -0 "$pid" 2>/dev/null || fail "eddy run exited early: $(cat "$T/run.err")"
    ((i < 1000)) || fail "BIG has $(count_in_topic BIG '"QTY10":') records after 10 s, \
expected $want: $(cat "$T/run.err")"
    grep -q '1 persistent query running' "$T/run.err" || fail "no start message: $(cat "$T/run.err")"
    kill "-$sig" "$pid"
    wait "$pid"
    local rc=$?
    [ "$rc" -eq 0 ] || fail "eddy run exited $rc after SIG$sig: $(cat "$T/run.err")"
}

# consume TOPIC: its records as JSON lines in $T/out.
consume() {
    ok "$EDDY" topic consume "$1" --from-beginning --timeout-ms 200 --json
}

# --- first run -------------------------------------------------------------------------------
run_until INT 2 "$T/orders.sql"
cat >"$T/want" <<'EOF'
Successfully changed local property 'auto.offset.reset' to 'earliest'.
Stream created
Created query with ID CSAS_BIG_0
EOF
same "$T/run.out" "$T/want" "first run's stdout"

consume BIG
cat >"$T/want" <<'EOF'
{"topic":"BIG","partition":0,"offset":0,"timestamp":2000,"key":"b","value":{"ITEM":"CAKE","QTY10":20},"headers":[]}
{"topic":"BIG","partition":0,"offset":1,"timestamp":3000,"key":"c","value":{"ITEM":"JAM","QTY10":30},"headers":[]}
EOF
same "$T/out" "$T/want" "BIG after the first run"
ok "$EDDY" topic describe BIG
grep -qx 'partitions  2' "$T/out" || fail "BIG should have the input's 2 partitions: $(cat "$T/out")"
consume orders
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "orders after the first run: $(cat "$T/out")"

# --- second run of the same script (SIGTERM, two worker threads) ------------------------------
run_until TERM 4 "$T/orders.sql" --threads 2
cat >"$T/want" <<'EOF'
Successfully changed local property 'auto.offset.reset' to 'earliest'.
Stream created
Created query with ID CSAS_BIG_0
EOF
same "$T/run.out" "$T/want" "second run's stdout (no 'already exists' error)"
consume orders
[ "$(wc -l <"$T/out")" -eq 6 ] || fail "orders after the second run: $(cat "$T/out")"
consume BIG
cat >"$T/want.big" <<'EOF'
{"topic":"BIG","partition":0,"offset":0,"timestamp":2000,"key":"b","value":{"ITEM":"CAKE","QTY10":20},"headers":[]}
{"topic":"BIG","partition":0,"offset":1,"timestamp":3000,"key":"c","value":{"ITEM":"JAM","QTY10":30},"headers":[]}
{"topic":"BIG","partition":0,"offset":2,"timestamp":2000,"key":"b","value":{"ITEM":"CAKE","QTY10":20},"headers":[]}
{"topic":"BIG","partition":0,"offset":3,"timestamp":3000,"key":"c","value":{"ITEM":"JAM","QTY10":30},"headers":[]}
EOF
# Resumed at the committed offsets: 4 records, not the 6 a re-read from the start would give.
same "$T/out" "$T/want.big" "BIG after the second run"

# --- no persistent query: runs the statements and exits ---------------------------------------
cat >"$T/ddl.sql" <<'EOF'
CREATE STREAM LOOKUP (ID STRING KEY, V INT)
    WITH (KAFKA_TOPIC='lookup', PARTITIONS=1, VALUE_FORMAT='JSON');
INSERT INTO LOOKUP (ID, V) VALUES ('x', 1);
EOF
ok timeout 10 "$EDDY" run "$T/ddl.sql"
[ "$(cat "$T/out")" = "Stream created" ] || fail "ddl.sql stdout: $(cat "$T/out")"
consume lookup
grep -qF '"key":"x","value":{"V":1}' "$T/out" || fail "lookup: $(cat "$T/out")"

# --- errors -----------------------------------------------------------------------------------
cat >"$T/bad.sql" <<'EOF'
CREATE STREAM GOOD (V INT) WITH (KAFKA_TOPIC='good', PARTITIONS=1, VALUE_FORMAT='JSON');
CREATE STREAM NOTOPIC (V INT) WITH (KAFKA_TOPIC='missing', VALUE_FORMAT='JSON');
CREATE STREAM NEVER (V INT) WITH (KAFKA_TOPIC='never', PARTITIONS=1, VALUE_FORMAT='JSON');
EOF
expect_fail 1 "bad.sql:2:1: Topic 'missing' does not exist." timeout 10 "$EDDY" run "$T/bad.sql"
[ "$(cat "$T/out")" = "Stream created" ] || fail "bad.sql ran up to its error: $(cat "$T/out")"
ok "$EDDY" topic list
grep -qx good "$T/out" || fail "topic 'good' should exist"
! grep -qx never "$T/out" || fail "the statement after the error ran"
! grep -qx missing "$T/out" || fail "topic 'missing' was created"

printf 'CREATE STREAM S (V INT) WITH (KAFKA_TOPIC=%s);\nSELEC 1;\n' "'s', PARTITIONS=1" \
    >"$T/syntax.sql"
# ksqlDB's syntax errors span several lines ("Did you mean 'SELECT'?"): the first names the place.
timeout 10 "$EDDY" run "$T/syntax.sql" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ] || fail "syntax.sql exited $rc: $(cat "$T/err")"
head -1 "$T/err" | grep -qF "eddy: $T/syntax.sql: line 2:1: Syntax Error" ||
    fail "syntax.sql error: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "a script with a syntax error ran something: $(cat "$T/out")"
ok "$EDDY" topic list
! grep -qx s "$T/out" || fail "a script with a syntax error created its topic"

expect_fail 2 "missing the script file" "$EDDY" run
expect_fail 1 "cannot read" "$EDDY" run "$T/nope.sql"

echo "sql_run: two runs (SIGINT, SIGTERM), resume, DDL-only and failing scripts checked"
