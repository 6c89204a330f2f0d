#!/usr/bin/env bash
# kill_producer.sh - kill -9 a producer in the middle of a stream, reopen the data directory,
# and check that the log holds exactly a prefix of the input (numbered lines 0..k-1, in
# order, nothing torn or corrupt), that describe agrees, and that appending after the
# recovery works. Three runs with a random kill point, and one with small segments
# (segment.bytes=100000) so that several segments roll before the kill.
source "$(dirname "$0")/lib/e2e.bash"

# end_offset TOPIC: partition 0's end offset, from `topic describe`.
end_offset() {
    ok "$EDDY" topic describe "$1"
    awk '$1 == "0" && NF == 5 { print $3 }' "$T/out"
}

# kill_run TOPIC [create options...]: one produce, kill -9, recover, check cycle.
kill_run() {
    local topic=$1
    shift
    ok "$EDDY" topic create "$topic" "$@"
    # A long stream of numbered lines through a pipe; $! is the producer (last in the pipe).
    seq 0 49999999 | "$EDDY" topic produce "$topic" 2>"$T/produce.err" &
    local pid=$!
    E2E_PIDS+=("$pid")
    local i
    for ((i = 0; i < 500; i++)); do
        find "$EDDY_DATA/topics/$topic" -name '*.log' -size +0c 2>/dev/null | grep -q . && break
        sleep 0.01
    done
    ((i < 500)) || fail "$topic: the producer wrote nothing in 5 s: $(cat "$T/produce.err")"
    sleep "0.$(printf '%03d' $((RANDOM % 500)))"
    kill -9 "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    local rc=$?
    [ "$rc" -eq 137 ] ||
        fail "$topic: producer exited $rc before it was killed: $(cat "$T/produce.err")"

    # Reopen: describe runs recovery; consume must see exactly 0..k-1.
    local end
    end=$(end_offset "$topic")
    ok "$EDDY" topic consume "$topic" --from-beginning --timeout-ms 0
    mv "$T/out" "$T/got"
    local k
    k=$(wc -l <"$T/got")
    [ "$k" -gt 0 ] || fail "$topic: nothing survived the kill"
    [ "$k" -eq "$end" ] || fail "$topic: consumed $k records but describe says end offset $end"
    awk '$0 != (NR - 1) "" { printf "line %d is \"%.40s\"\n", NR, $0; exit 1 }' "$T/got" >&2 ||
        fail "$topic: the recovered log is not a prefix of the input"

    # Appending after the recovery continues the same log.
    printf 'after-1\nafter-2\n' >"$T/after.in"
    STDIN="$T/after.in" ok "$EDDY" topic produce "$topic"
    ok "$EDDY" topic consume "$topic" --offset $((k - 1)) --timeout-ms 0
    printf '%d\nafter-1\nafter-2\n' $((k - 1)) >"$T/want"
    same "$T/out" "$T/want" "$topic: records around the recovery point"
    [ "$(end_offset "$topic")" -eq $((k + 2)) ] || fail "$topic: end offset after append"
    summary+=" $k"
}

summary=""
for run in 1 2 3; do
    kill_run "killed$run"
done
kill_run small --config segment.bytes=100000
ok "$EDDY" topic describe small
segs=$(awk '$1 == "0" && NF == 5 { print $5 }' "$T/out")
[ "$segs" -gt 1 ] || fail "small: expected several segments, describe says $segs"

echo "kill_producer: ok (records kept at the kill points:$summary; $segs segments in the last)"
