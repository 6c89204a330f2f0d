#!/usr/bin/env bash
# topic_cli.sh - `eddy topic` end to end: create/list/describe/delete, error cases (one line
# on stderr, exit 1 or 2), produce and consume in plain, --key-separator and --json forms,
# offsets, partitions, --max-messages, consumer groups resuming across runs (and after
# SIGINT), a bad line in the middle of the input, and `consume | head`.
source "$(dirname "$0")/lib/e2e.bash"

# --- the binary --------------------------------------------------------------------------------
ok "$EDDY" --version
grep -qE '^eddy [0-9]+\.[0-9]+' "$T/out" || fail "--version printed: $(cat "$T/out")"
ok "$EDDY" --help
grep -q 'topic' "$T/out" || fail "--help does not mention 'topic'"
ok "$EDDY" topic --help
grep -q -- '--from-beginning' "$T/out" || fail "topic --help does not document consume"
for cmd in shell server; do
    expect_fail 2 "'$cmd' is not available yet" "$EDDY" "$cmd"
done
expect_fail 2 "missing the script file" "$EDDY" run
expect_fail 2 "missing -s statements.sql" "$EDDY" test
expect_fail 2 "unknown command 'frob'" "$EDDY" frob
expect_fail 2 "unknown option '--bogus'" "$EDDY" --bogus topic list
expect_fail 2 "option '--data' needs a value" "$EDDY" --data
expect_fail 2 "topic: missing command" "$EDDY" topic

# --- create, list, describe, delete ------------------------------------------------------------
ok "$EDDY" topic list
[ ! -s "$T/out" ] || fail "list on a new data dir printed: $(cat "$T/out")"
[ ! -e "$EDDY_DATA" ] || fail "list created the data directory"

ok "$EDDY" topic create alpha
ok "$EDDY" topic create beta --partitions 3 --config retention.ms=1000 \
    --config cleanup.policy=compact
grep -q "created topic 'beta' with 3 partitions" "$T/out" || fail "create said: $(cat "$T/out")"
ok "$EDDY" --data "$EDDY_DATA" topic create gamma.v1_x-y --partitions=2
ok "$EDDY" topic list
printf 'alpha\nbeta\ngamma.v1_x-y\n' >"$T/want"
same "$T/out" "$T/want" "topic list"
ok env -u EDDY_DATA "$EDDY" --data "$EDDY_DATA" topic list
same "$T/out" "$T/want" "topic list with --data"

ok "$EDDY" topic describe beta
grep -q '^partitions  3$' "$T/out" || fail "describe: no partition count: $(cat "$T/out")"
[ "$(awk '$1 ~ /^[0-9]+$/ && NF == 5' "$T/out" | wc -l)" -eq 3 ] ||
    fail "describe: expected 3 partition rows: $(cat "$T/out")"
grep -q '^  retention.ms=1000$' "$T/out" || fail "describe: retention.ms not shown"
grep -q '^  cleanup.policy=compact$' "$T/out" || fail "describe: cleanup.policy not shown"
grep -q '^  segment.bytes=1073741824$' "$T/out" || fail "describe: default segment.bytes not shown"

ok "$EDDY" topic delete gamma.v1_x-y
ok "$EDDY" topic list
printf 'alpha\nbeta\n' >"$T/want"
same "$T/out" "$T/want" "topic list after delete"

# --- errors: one line on stderr, exit 1 (runtime) or 2 (usage) ---------------------------------
for verb in describe delete produce consume; do
    expect_fail 1 "eddy: topic 'nope' does not exist" "$EDDY" topic "$verb" nope
done
expect_fail 1 "topic 'gamma.v1_x-y' does not exist" "$EDDY" topic describe gamma.v1_x-y
expect_fail 1 "topic 'alpha' already exists" "$EDDY" topic create alpha
expect_fail 2 "invalid topic name 'bad name!'" "$EDDY" topic create 'bad name!'
expect_fail 2 "invalid topic name '..'" "$EDDY" topic create ..
expect_fail 2 "invalid topic name" "$EDDY" topic create "$(printf 'x%.0s' {1..250})"
expect_fail 2 "missing topic name" "$EDDY" topic create
expect_fail 2 "--partitions" "$EDDY" topic create x --partitions 0
expect_fail 2 "--partitions" "$EDDY" topic create x --partitions abc
expect_fail 2 "needs a value" "$EDDY" topic create x --partitions
expect_fail 2 "--config" "$EDDY" topic create x --config no.such.key=1
expect_fail 2 "--config" "$EDDY" topic create x --config retention.ms=soon
expect_fail 2 "--config" "$EDDY" topic create x --config retention.ms
expect_fail 2 "unknown option '--bogus'" "$EDDY" topic list --bogus
expect_fail 2 "unknown option '-x'" "$EDDY" topic consume alpha -x
expect_fail 2 "unexpected argument 'extra'" "$EDDY" topic describe alpha extra
expect_fail 2 "unknown command 'frob'" "$EDDY" topic frob
expect_fail 2 "--max-messages" "$EDDY" topic consume alpha --max-messages -1
expect_fail 2 "do not go together" "$EDDY" topic consume alpha --from-beginning --offset 3
expect_fail 2 "do not go together" "$EDDY" topic produce alpha --json --key-separator :
expect_fail 1 "partition 7 does not exist" "$EDDY" topic consume alpha --partition 7
expect_fail 1 "partition 1 does not exist" "$EDDY" topic produce alpha --partition 1
touch "$T/afile"
expect_fail 1 "not a directory" "$EDDY" --data "$T/afile" topic create x
expect_fail 1 "$T/afile/sub" "$EDDY" --data "$T/afile/sub" topic create x
ok "$EDDY" topic list
printf 'alpha\nbeta\n' >"$T/want"
same "$T/out" "$T/want" "topic list after the failed commands"

# --- plain produce and consume -----------------------------------------------------------------
# Special characters, an empty line, CRLF (the \r is dropped), a 300 KB line, no final newline.
long=$(head -c 300000 /dev/zero | tr '\0' 'L')
{
    printf 'first\n\nwith\ttab and "quotes" and unicode \xc3\xa9\xe2\x98\x83\n'
    printf 'crlf line\r\n%s\nlast without newline' "$long"
} >"$T/plain.in"
STDIN="$T/plain.in" ok "$EDDY" topic produce alpha
grep -qx "produced 6 records to 1 partition of 'alpha'" "$T/err" ||
    fail "produce summary: $(cat "$T/err")"
ok "$EDDY" topic consume alpha --from-beginning --timeout-ms 0
{
    printf 'first\n\nwith\ttab and "quotes" and unicode \xc3\xa9\xe2\x98\x83\n'
    printf 'crlf line\n%s\nlast without newline\n' "$long"
} >"$T/want"
same "$T/out" "$T/want" "plain round trip"
[ ! -s "$T/err" ] || fail "consume wrote to stderr: $(cat "$T/err")"

# Default start is the end: nothing to read.
ok "$EDDY" topic consume alpha --timeout-ms 50
[ ! -s "$T/out" ] || fail "consume without --from-beginning printed old records"
ok "$EDDY" topic consume alpha --offset 3 --timeout-ms 0 --max-messages 1
printf 'crlf line\n' >"$T/want"
same "$T/out" "$T/want" "--offset 3 --max-messages 1"
ok "$EDDY" topic consume alpha --offset latest --timeout-ms 0
[ ! -s "$T/out" ] || fail "--offset latest printed records"
ok "$EDDY" topic consume alpha --offset earliest --timeout-ms 0 --max-messages 2
printf 'first\n\n' >"$T/want"
same "$T/out" "$T/want" "--offset earliest --max-messages 2"
ok "$EDDY" topic consume alpha --offset 1000 --timeout-ms 0
[ ! -s "$T/out" ] || fail "--offset past the end printed records"

# --- --key-separator ---------------------------------------------------------------------------
ok "$EDDY" topic create keyed --partitions 4
printf 'k1=v1\nk2=v=2\nnokey\n=empty key\nk1=v3\n' >"$T/k.in"
STDIN="$T/k.in" ok "$EDDY" topic produce keyed --key-separator = --partition 2
ok "$EDDY" topic consume keyed --from-beginning --timeout-ms 0 --print-key
printf 'k1\tv1\nk2\tv=2\nnull\tnokey\n\tempty key\nk1\tv3\n' >"$T/want"
same "$T/out" "$T/want" "--key-separator round trip"
ok "$EDDY" topic consume keyed --from-beginning --timeout-ms 0 --print-key \
    --key-separator ' -> ' --partition 2 --max-messages 2
printf 'k1 -> v1\nk2 -> v=2\n' >"$T/want"
same "$T/out" "$T/want" "consume --key-separator"
printf 'a::b::c\n' >"$T/k2.in"
STDIN="$T/k2.in" ok "$EDDY" topic produce keyed --key-separator :: --partition 0
ok "$EDDY" topic consume keyed --partition 0 --from-beginning --timeout-ms 0 --print-key
printf 'a\tb::c\n' >"$T/want"
same "$T/out" "$T/want" "multi-character --key-separator"

# --- --json round trip ---------------------------------------------------------------------------
ok "$EDDY" topic create js --partitions 3
cat >"$T/json.in" <<'EOF'
{"key":"k1","value":"hello","timestamp":1700000000000,"partition":1,"headers":[{"key":"h1","value":"v1"},{"key":"h2","value":null}]}
{"key":null,"value":{"a":1,"b":[1,2,{"c":"d"}],"r":1.1,"s":"x y"},"timestamp":1700000000001,"partition":0}
{"key":{"id":7},"value":"tab\tquote\" backslash\\ \u00e9 \u2603 \ud83d\ude00 ctl\u0001","timestamp":5,"partition":2}

{"value":null,"key":"tombstone","timestamp":6,"partition":0}
{"key":42,"value":3.25,"timestamp":7,"partition":1,"headers":[{"key":"obj","value":{"x":[1,2]}},{"key":"","value":""}]}
{"key":"x","value":[1,"two",null,true],"timestamp":8,"partition":2}
{"key":"s","value":"{\"looks\":\"like json\"}","timestamp":9,"partition":2}
{"key":"t","value":"[not json","timestamp":10,"partition":0}
{"value":"no key, no partition, no timestamp","partition":1}
EOF
STDIN="$T/json.in" ok "$EDDY" topic produce js --json
grep -qx "produced 9 records to 3 partitions of 'js'" "$T/err" || fail "json produce: $(cat "$T/err")"
ok "$EDDY" topic consume js --from-beginning --timeout-ms 0 --json
cp "$T/out" "$T/json.out"
python3 - "$T/json.in" "$T/json.out" <<'EOF' || fail "--json round trip (see above)"
import json, sys, time

def stored(v):
    """What produce --json writes for a key or value: text of strings, compact JSON else."""
    if v is None:
        return None
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)

def shown(s):
    """What consume --json shows for stored bytes: parsed JSON objects/arrays, else strings."""
    if s is None:
        return None
    if s.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(s)
        except ValueError:
            pass
    return s

inp = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
out = [l.rstrip("\n") for l in open(sys.argv[2])]
got = [json.loads(l) for l in out]
errors = []
if len(got) != len(inp):
    errors.append("expected %d records, got %d" % (len(inp), len(got)))
for o in got:
    if list(o) != ["topic", "partition", "offset", "timestamp", "key", "value", "headers"]:
        errors.append("field order: %s" % list(o))
    if o["topic"] != "js":
        errors.append("topic: %r" % o["topic"])
# Offsets are dense per partition, in input order.
expect = []
next_off = {}
now = time.time() * 1000
for r in inp:
    p = r["partition"]
    off = next_off.get(p, 0)
    next_off[p] = off + 1
    expect.append({
        "partition": p, "offset": off,
        "timestamp": r.get("timestamp"),
        "key": shown(stored(r.get("key"))),
        "value": shown(stored(r.get("value"))),
        "headers": [{"key": h["key"], "value": stored(h["value"])} for h in r.get("headers", [])],
    })
expect.sort(key=lambda e: (e["partition"], e["offset"]))
got.sort(key=lambda e: (e["partition"], e["offset"]))
for e, g in zip(expect, got):
    if e["timestamp"] is None:
        if not (now - 600000 < g["timestamp"] <= now + 1000):
            errors.append("default timestamp not 'now': %r" % g["timestamp"])
        e["timestamp"] = g["timestamp"]
    g = {k: g[k] for k in e}
    if e != g:
        errors.append("expected %r\n  got    %r" % (e, g))
# Exact text of two lines: key/value JSON embedded, reals kept short, strings escaped.
if '"value":{"a":1,"b":[1,2,{"c":"d"}],"r":1.1,"s":"x y"}' not in out[0]:
    errors.append("object value not embedded verbatim: %s" % out[0])
if not any('"value":"3.25"' in l and '"key":"42"' in l for l in out):
    errors.append("scalar JSON key/value not shown as strings")
for e in errors:
    print(e, file=sys.stderr)
sys.exit(1 if errors else 0)
EOF

# Keyed records without a partition go where Kafka's partitioner puts them, all of a key
# together (the million test checks the partition numbers themselves).
for i in $(seq 1 40); do
    printf '{"key":"user-%d","value":"%d"}\n' $((i % 5)) "$i"
done >"$T/keys.in"
ok "$EDDY" topic create bykey --partitions 4
STDIN="$T/keys.in" ok "$EDDY" topic produce bykey --json
ok "$EDDY" topic consume bykey --from-beginning --timeout-ms 0 --json
python3 - "$T/out" <<'EOF' || fail "keyed records spread over partitions"
import json, sys
part = {}
last = {}
for l in open(sys.argv[1]):
    r = json.loads(l)
    part.setdefault(r["key"], set()).add(r["partition"])
    v = int(r["value"])
    if last.get(r["key"], 0) >= v:
        sys.exit("key %s out of order" % r["key"])
    last[r["key"]] = v
bad = {k: p for k, p in part.items() if len(p) != 1}
if bad or len(last) != 5:
    sys.exit("keys in several partitions: %r" % bad)
EOF

# --- a bad line in the middle -----------------------------------------------------------------
ok "$EDDY" topic create bad --partitions 2
{
    echo '{"key":"a","value":"1"}'
    echo '{"key":"b","value":"2"}'
    echo
    echo '{"key":"c","value":"3"}'
    echo '{"key":"d","value":4'
    echo '{"key":"e","value":"5"}'
} >"$T/bad.in"
STDIN="$T/bad.in" expect_fail 1 "eddy: line 5: invalid JSON" "$EDDY" topic produce bad --json
ok "$EDDY" topic consume bad --from-beginning --timeout-ms 0 --print-key
sort "$T/out" >"$T/sorted"
printf 'a\t1\nb\t2\nc\t3\n' >"$T/want"
same "$T/sorted" "$T/want" "records before the bad line"
for l in '[1,2]' '{"key":"a","colour":"red"}' '{"partition":9}' '{"timestamp":"noon"}' \
    '{"headers":{"h":"v"}}' '{"key":"a","key":"b"}'; do
    printf '{"value":"ok"}\n%s\n' "$l" >"$T/bad1.in"
    STDIN="$T/bad1.in" expect_fail 1 "eddy: line 2: " "$EDDY" topic produce bad --json
done
ok "$EDDY" topic create small --config max.message.bytes=1000
{ echo short; head -c 2000 /dev/zero | tr '\0' x; echo; echo after; } >"$T/big.in"
STDIN="$T/big.in" expect_fail 1 "line 2: record is larger than the topic's max.message.bytes" \
    "$EDDY" topic produce small
ok "$EDDY" topic consume small --from-beginning --timeout-ms 0
printf 'short\n' >"$T/want"
same "$T/out" "$T/want" "records before the oversized line"
printf 'k=v\nno key here\n' >"$T/c.in"
STDIN="$T/c.in" expect_fail 1 "line 2: topic 'beta' is compacted" \
    "$EDDY" topic produce beta --key-separator =

# --- consumer groups ---------------------------------------------------------------------------
ok "$EDDY" topic create grp --partitions 2
for i in $(seq 1 10); do echo "key$i=$i"; done >"$T/g.in"
STDIN="$T/g.in" ok "$EDDY" topic produce grp --key-separator =
: >"$T/g.all"
ok "$EDDY" topic consume grp --group g1 --from-beginning --max-messages 3 --print-key
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "group run 1 read $(wc -l <"$T/out") records, expected 3"
cat "$T/out" >>"$T/g.all"
ok "$EDDY" topic consume grp --group g1 --from-beginning --max-messages 4 --print-key
[ "$(wc -l <"$T/out")" -eq 4 ] || fail "group run 2 read $(wc -l <"$T/out") records, expected 4"
cat "$T/out" >>"$T/g.all"
ok "$EDDY" topic consume grp --group g1 --timeout-ms 100 --print-key
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "group run 3 read $(wc -l <"$T/out") records, expected 3"
cat "$T/out" >>"$T/g.all"
ok "$EDDY" topic consume grp --group g1 --timeout-ms 100
[ ! -s "$T/out" ] || fail "group run 4 read records again: $(cat "$T/out")"
sort -t$'\t' -k2n "$T/g.all" >"$T/got"
awk -F= '{print $1 "\t" $2}' "$T/g.in" >"$T/want"
same "$T/got" "$T/want" "records read by three group runs"
printf 'key1=11\nkey2=12\n' >"$T/g2.in"
STDIN="$T/g2.in" ok "$EDDY" topic produce grp --key-separator =
ok "$EDDY" topic consume grp --group g1 --timeout-ms 100
sort "$T/out" >"$T/got"
printf '11\n12\n' >"$T/want"
same "$T/got" "$T/want" "group run after new records"
ok "$EDDY" topic consume grp --group fresh --timeout-ms 50
[ ! -s "$T/out" ] || fail "a new group without --from-beginning read old records"
ok "$EDDY" topic consume grp --group fresh --from-beginning --timeout-ms 50
[ ! -s "$T/out" ] || fail "group 'fresh' committed nothing in its first run"
ok "$EDDY" topic consume grp --group other --from-beginning --timeout-ms 0
[ "$(wc -l <"$T/out")" -eq 12 ] || fail "group 'other' read $(wc -l <"$T/out") records"

# Following without --timeout-ms until SIGINT: exits 0 and commits what it printed.
"$EDDY" topic consume grp --group follow --from-beginning >"$T/follow.out" 2>"$T/follow.err" &
pid=$!
E2E_PIDS+=("$pid")
for _ in $(seq 1 100); do
    [ "$(wc -l <"$T/follow.out")" -ge 12 ] && break
    sleep 0.05
done
n=$(wc -l <"$T/follow.out")
[ "$n" -eq 12 ] || fail "following consumer printed $n records, expected 12"
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "following consumer exited $rc after SIGINT: $(cat "$T/follow.err")"
ok "$EDDY" topic consume grp --group follow --from-beginning --timeout-ms 0
[ ! -s "$T/out" ] || fail "SIGINT did not commit the group's offsets"

# --- consume | head ends quietly ---------------------------------------------------------------
ok "$EDDY" topic create many
seq 1 50000 >"$T/many.in"
STDIN="$T/many.in" ok "$EDDY" topic produce many
"$EDDY" topic consume many --from-beginning --timeout-ms 0 2>"$T/err" | head -3 >"$T/out"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || fail "consume | head: eddy exited $rc"
[ ! -s "$T/err" ] || fail "consume | head wrote to stderr: $(cat "$T/err")"
printf '1\n2\n3\n' >"$T/want"
same "$T/out" "$T/want" "consume | head"

echo "topic_cli: ok"
