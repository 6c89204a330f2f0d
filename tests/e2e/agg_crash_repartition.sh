#!/usr/bin/env bash
# agg_crash_repartition.sh - an aggregate whose GROUP BY re-keys (two stages through the
# <query id>-Aggregate-GroupBy-repartition topic) counts every input exactly once across
# kill -9 restarts.
#
# A restarted first stage re-reads its input from its last commit and writes those records to
# the repartition topic again; the second stage must drop them (each repartition record says
# which source record it came from, and the second stage keeps, with its state, the last one
# it applied per source partition). Input: 200,000 JSON records in 2 partitions, 13 groups.
# The query is killed 6 times at random points, then run to the end in rounds (SIGTERM,
# check, restart) until the counts are complete: they must add up to exactly the input.
source "$(dirname "$0")/lib/e2e.bash"

N=200000
cat >"$T/q.sql" <<'SQL'
SET 'auto.offset.reset'='earliest';
CREATE STREAM SRC (K STRING KEY, G STRING, V INT) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');
CREATE TABLE C AS SELECT G, COUNT(*) AS N, SUM(V) AS S FROM SRC GROUP BY G EMIT CHANGES;
SQL
ok "$EDDY" topic create src --partitions 2
python3 -c "
import json
for i in range($N):
    print(json.dumps({'key': 'k%d' % (i % 97), 'value': {'G': 'g%d' % (i % 13), 'V': 1},
                      'timestamp': 1700000000000 + i}))
" >"$T/in.json"
STDIN="$T/in.json" ok "$EDDY" topic produce src --json

# total: the sum of the last COUNT and SUM of every group in topic C ("count sum groups").
total() {
    "$EDDY" topic consume C --from-beginning --timeout-ms 500 --json 2>/dev/null | python3 -c "
import sys, json
last = {}
for line in sys.stdin:
    r = json.loads(line)
    last[r['key']] = (r['value']['N'], r['value']['S'])
print(sum(n for n, s in last.values()), sum(s for n, s in last.values()), len(last))
"
}

for k in 1 2 3 4 5 6; do
    "$EDDY" run "$T/q.sql" >/dev/null 2>"$T/run.err" &
    pid=$!
    E2E_PIDS+=("$pid")
    sleep "0.$((RANDOM % 9 + 1))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
rounds=0
while :; do
    "$EDDY" run "$T/q.sql" >/dev/null 2>"$T/run.err" &
    pid=$!
    E2E_PIDS+=("$pid")
    sleep 4
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" || fail "eddy run exited $?: $(head -c 500 "$T/run.err")"
    read -r count sum groups < <(total)
    [ "$count" -le "$N" ] || fail "counted $count records of $N (duplicates after kill -9)"
    [ "$sum" -le "$N" ] || fail "summed $sum of $N (duplicates after kill -9)"
    [ "$count" -eq "$N" ] && break
    rounds=$((rounds + 1))
    [ "$rounds" -lt 15 ] || fail "only $count of $N records counted after $rounds rounds"
done
[ "$sum" -eq "$N" ] || fail "sum $sum, expected $N"
[ "$groups" -eq 13 ] || fail "$groups groups, expected 13"
echo "agg_crash_repartition: ok ($N records counted once across 6 kills, $((rounds + 1)) final rounds)"
