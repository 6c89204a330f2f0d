#!/usr/bin/env bash
# agg_crash.sh - a windowed aggregate survives kill -9 and the loss of its LMDB files: no
# update lost, none counted twice.
#
# Input: 1,000,000 JSON records in a 2-partition topic, 300 keys, timestamps spread over 4
# minutes (24 tumbling windows of 10 s). The query, run by `eddy run` (threaded):
#   CREATE TABLE C AS SELECT K, AS_VALUE(K) AS KV, WINDOWSTART AS WS, COUNT(*) AS N,
#       SUM(V) AS S FROM SRC WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY K EMIT CHANGES;
#
#  1. Reference: an uninterrupted run on a copy of the data directory, stopped with SIGTERM
#     once its committed input offsets reach the end of the input.
#  2. Crashes: the same script is started and killed with SIGKILL at random points, 4 times,
#     each kill while input remains (kill k once the committed input has passed a random
#     point between 10(2k+1)% and 10(2k+2)% of it, plus 0-250 ms). Every restart must start query CTAS_C_0 again (the
#     catalog is not persisted: the script's CREATE statements run again and the query gets
#     the same ID) and report for both tasks that the state resumed (or rolled forward) from
#     its LMDB checkpoint, at an input offset no earlier than the consumer group's last commit.
#     A last run goes to the end of the input.
#  3. Rebuild: the LMDB files ($EDDY_DATA/state) are deleted, 2,000 more records are
#     produced (in the last window and the next one, so the rebuilt counts are updated), and
#     the script runs again: both tasks must report "rebuilt from the changelog".
#
# The final table (the last value of each windowed key in topic C) of every phase must equal
# the counts and sums computed with awk from the input: so the reference run, the crashed
# run and the rebuilt run agree with each other too.
#
# GROUP BY K groups by the source's key: one stage, no repartition topic. Grouping by a
# value column (two stages through the repartition topic) is covered by
# agg_crash_repartition.sh.
#
# "Consumed to the end" is read without opening the data directory (a running eddy holds its
# lock): the last committed offsets of group _eddy-query_CTAS_C_0 are parsed out of the
# __consumer_offsets segment files (key: OffsetCommitKey v1, value {"offset":N,...}).
source "$(dirname "$0")/lib/e2e.bash"

N=1000000
KEYS=300
KILLS=4
GROUP=_eddy-query_CTAS_C_0

# --- input ----------------------------------------------------------------------------------
# Record i: key k<rand mod KEYS>, V = i mod 97, timestamp T0 + 0.24 i ms (240 s in all).
awk -v n="$N" -v keys="$KEYS" 'BEGIN {
    srand(42)
    for (i = 0; i < n; i++)
        printf "{\"key\":\"k%d\",\"value\":{\"V\":%d},\"timestamp\":%.0f}\n",
               int(rand() * keys), i % 97, 1700000000000 + int(i * 0.24)
}' >"$T/in.json"
# After the LMDB files are deleted: records in the last window (1700000230000) and the next.
awk -v keys="$KEYS" 'BEGIN {
    for (i = 0; i < 2000; i++)
        printf "{\"key\":\"k%d\",\"value\":{\"V\":%d},\"timestamp\":%.0f}\n",
               (i * 7) % keys, i % 13, 1700000235000 + i * 5
}' >"$T/more.json"

ok "$EDDY" topic create in --partitions 2
STDIN="$T/in.json" ok "$EDDY" topic produce in --json

cat >"$T/q.sql" <<'EOF'
SET 'auto.offset.reset'='earliest';
CREATE STREAM SRC (K STRING KEY, V INT) WITH (KAFKA_TOPIC='in', VALUE_FORMAT='JSON');
CREATE TABLE C AS SELECT K, AS_VALUE(K) AS KV, WINDOWSTART AS WS, COUNT(*) AS N, SUM(V) AS S
    FROM SRC
    WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY K EMIT CHANGES;
EOF

# expected FILE...: "key window-start count sum" per windowed key, sorted.
expected() {
    cat "$@" | awk -F'"' '{
        v = $9; gsub(/[^0-9]/, "", v)
        ts = $11; gsub(/[^0-9]/, "", ts)
        k = $4 " " sprintf("%.0f", ts - ts % 10000)
        n[k]++; s[k] += v
    } END { for (k in n) printf "%s %d %d\n", k, n[k], s[k] }' | LC_ALL=C sort
}
expected "$T/in.json" >"$T/want"
[ "$(wc -l <"$T/want")" -eq $((KEYS * 24)) ] || fail "expected $((KEYS * 24)) windowed keys"

# end_offsets: "E0 E1", the end offsets of the input's partitions.
end_offsets() {
    ok "$EDDY" topic describe in
    awk '$1 == "0" || $1 == "1" { e[$1] = $3 } END { print e[0], e[1] }' "$T/out"
}

# committed DIR: "O0 O1", the group's last committed input offsets (-1 when none).
committed() {
    cat "$1"/topics/__consumer_offsets/*/*.log 2>/dev/null | GROUP="$GROUP" perl -0777 -ne '
        my %o = (0 => -1, 1 => -1);
        my $k = pack("n", length $ENV{GROUP}) . $ENV{GROUP} . pack("n", 2) . "in";
        while (/\Q$k\E\x00\x00\x00([\x00\x01]).{1,3}?\{"offset":(\d+)/gs) { $o{ord $1} = $2 }
        print "$o{0} $o{1}\n"'
}

# start DIR: `eddy run` the script on DIR in the background; $pid, output in $T/run.{out,err}.
start() {
    EDDY_DATA="$1" "$EDDY" run "$T/q.sql" --threads 2 >"$T/run.out" 2>"$T/run.err" </dev/null &
    pid=$!
    E2E_PIDS+=("$pid")
}

# wait_done DIR: wait (180 s at most: CI machines can be loaded) until the committed offsets
# are the input's end offsets.
wait_done() {
    local i
    for ((i = 0; i < 1800; i++)); do
        [ "$(committed "$1")" = "$ends" ] && return 0
        kill -0 "$pid" 2>/dev/null || fail "eddy run exited early: $(cat "$T/run.err")"
        sleep 0.1
    done
    fail "input not consumed after 180 s: committed $(committed "$1"), ends $ends"
}

# stop: SIGTERM the run; it must exit 0.
stop() {
    kill -TERM "$pid"
    wait "$pid"
    local rc=$?
    [ "$rc" -eq 0 ] || fail "eddy run exited $rc after SIGTERM: $(tail -5 "$T/run.err")"
}

# table DIR OUT: the final table of C in DIR ("key window-start count sum", sorted) into OUT:
# the last value of each windowed key (a windowed key lives in one partition, which consume
# reads in order). The values carry the key (KV) and the window start (WS).
table() {
    EDDY_DATA="$1" ok "$EDDY" topic consume C --from-beginning --timeout-ms 0
    awk -F'"' '$0 == "null" { print "unexpected tombstone"; exit 1 }
        { w = $7; gsub(/[^0-9]/, "", w); n = $9; gsub(/[^0-9]/, "", n); s = $11; gsub(/[^0-9]/, "", s)
          last[$4 " " w] = n " " s }
        END { for (k in last) print k, last[k] }' "$T/out" | LC_ALL=C sort >"$2" ||
        fail "cannot read topic C in $1: $(head -3 "$2")"
}

# check_started MODE: the run started CTAS_C_0 and both tasks report MODE for their state.
check_started() {
    local i p off
    for ((i = 0; i < 600; i++)); do     # 30 s: a restore on a loaded machine can be slow
        [ "$(grep -c "task in/[01]: state" "$T/run.err")" -ge 2 ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    grep -q 'Created query with ID CTAS_C_0' "$T/run.out" ||
        fail "the restarted script did not start CTAS_C_0: $(cat "$T/run.out" "$T/run.err")"
    for p in 0 1; do
        grep -Eq "query CTAS_C_0: task in/$p: state ($1)" "$T/run.err" ||
            fail "task in/$p: expected state '$1': $(cat "$T/run.err")"
    done
}

ends=$(end_offsets)
cp -a "$EDDY_DATA" "$T/ref"
t0=$(date +%s%N)

# --- 1. reference: uninterrupted ------------------------------------------------------------
start "$T/ref"
wait_done "$T/ref"
stop
ref_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
table "$T/ref" "$T/ref.table"
same "$T/ref.table" "$T/want" "the uninterrupted run's table (vs awk)"

# --- 2. kill -9 at random points -------------------------------------------------------------
# Kill k (0-based) once the committed input passes a random point in ((2k+1)/10 .. (2k+2)/10)
# of the input, after a further random 0..250 ms (so not just at a commit); every restart
# must resume from its checkpoint at or after the group's last commit.
total=$(( ${ends% *} + ${ends#* } ))
kills=()
for ((k = 0; k < KILLS; k++)); do
    # The group's commits as the killed run left them: read before the restart, which
    # commits again as soon as it runs.
    read -r c0 c1 <<<"$(committed "$EDDY_DATA")"
    start "$EDDY_DATA"
    if ((k > 0)); then
        check_started "resumed from its checkpoint|rolled forward from its checkpoint"
        for p in 0 1; do
            off=$(sed -n "s/.*task in\/$p: state .*input at offset \([0-9]*\)$/\1/p" "$T/run.err")
            c=$([ "$p" = 0 ] && echo "$c0" || echo "$c1")
            [ -n "$off" ] && [ "$off" -ge "$c" ] && [ "$off" -gt 0 ] ||
                fail "task in/$p resumed at '$off', the group committed $c"
        done
    fi
    target=$(( total * (2 * k + 1) / 10 + total / 10 * RANDOM / 32768 ))
    # a fast run may already be past that point: then kill once it has done a bit more, so
    # each kill lands at a new place rather than straight after the restart
    (( target >= c0 + c1 + total / 20 )) || target=$(( c0 + c1 + total / 20 ))
    for ((i = 0; i < 1200; i++)); do
        read -r c0 c1 <<<"$(committed "$EDDY_DATA")"
        (( c0 + c1 >= target )) && break
        kill -0 "$pid" 2>/dev/null || fail "eddy run exited early: $(cat "$T/run.err")"
        sleep 0.05
    done
    sleep "0.$(printf '%03d' $((RANDOM % 250)))"
    at=$(committed "$EDDY_DATA")
    kill -KILL "$pid"
    wait "$pid" 2>/dev/null
    if [ "$at" = "$ends" ]; then
        # A fast machine finished the input before this kill: later kills would test nothing.
        (( ${#kills[@]} >= 2 )) || fail "kill $((k + 1)): the input was already consumed ($at)"
        break
    fi
    kills+=("$(( ${at% *} + ${at#* } ))")
done
start "$EDDY_DATA"
check_started "resumed from its checkpoint|rolled forward from its checkpoint"
wait_done "$EDDY_DATA"
stop
table "$EDDY_DATA" "$T/crash.table"
same "$T/crash.table" "$T/want" "the table after ${#kills[@]} kill -9 (vs awk)"

# --- 3. LMDB files deleted: rebuilt from the changelogs ---------------------------------------
rm -rf "$EDDY_DATA/state"
STDIN="$T/more.json" ok "$EDDY" topic produce in --json
ends=$(end_offsets)
expected "$T/in.json" "$T/more.json" >"$T/want2"
start "$EDDY_DATA"
check_started "rebuilt from the changelog"
restored=$(sed -n 's/.*rebuilt from the changelog (epoch [0-9]*, \([0-9]*\) records restored.*/\1/p' \
    "$T/run.err" | awk '{ s += $1 } END { print s + 0 }')
[ "$restored" -gt 0 ] || fail "nothing restored from the changelogs: $(cat "$T/run.err")"
# progress was reported while restoring: "restoring state: N of M records", N <= M
grep -q 'restoring state: [0-9]* of [0-9]* records' "$T/run.err" ||
    fail "no restore progress reported: $(cat "$T/run.err")"
sed -n 's/.*restoring state: \([0-9]*\) of \([0-9]*\) records.*/\1 \2/p' "$T/run.err" |
    awk '$1 > $2 || $1 <= 0 { bad = 1 } END { exit bad }' ||
    fail "restore progress out of range: $(grep 'restoring state' "$T/run.err")"
wait_done "$EDDY_DATA"
stop
table "$EDDY_DATA" "$T/rebuilt.table"
same "$T/rebuilt.table" "$T/want2" "the table after the rebuild (vs awk)"

echo "agg_crash: ok ($N records, $((KEYS * 24)) windowed keys; reference run ${ref_ms} ms;" \
    "${#kills[@]} kill -9 at ${kills[*]} records committed; rebuild restored $restored records," \
    "2000 more counted)"
