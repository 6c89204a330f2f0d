#!/usr/bin/env bash
# million.sh - produce 1,000,000 records through `eddy topic produce` into a 4-partition topic
# and consume them all back unchanged: the multiset of values is the same (sha256 of the
# sorted lines), every keyed record sits on the partition Kafka's partitioner gives its key
# (murmur2, checked against an independent Python implementation and Kafka's own test
# vectors), and the records of each key come back in the order they were produced.
source "$(dirname "$0")/lib/e2e.bash"

N=1000000
KEYS=1000

# Every even record has a key ("user-<i/2 mod KEYS>"); values are distinct and carry i.
awk -v n="$N" -v keys="$KEYS" 'BEGIN {
    for (i = 0; i < n; i++) {
        if (i % 2 == 0)
            printf "user-%d:v%d-the-quick-brown-fox-jumps-over-the-lazy-dog\n", (i / 2) % keys, i
        else
            printf "v%d-pack-my-box-with-five-dozen-liquor-jugs-%d\n", i, i * 7
    }
}' >"$T/in"

ok "$EDDY" topic create big --partitions 4
start=$(date +%s%N)
STDIN="$T/in" ok "$EDDY" topic produce big --key-separator :
produce_ms=$(( ($(date +%s%N) - start) / 1000000 ))
grep -qx "produced $N records to 4 partitions of 'big'" "$T/err" ||
    fail "produce summary: $(cat "$T/err")"

start=$(date +%s%N)
ok "$EDDY" topic consume big --from-beginning --timeout-ms 0
consume_ms=$(( ($(date +%s%N) - start) / 1000000 ))
mv "$T/out" "$T/all"
[ "$(wc -l <"$T/all")" -eq "$N" ] || fail "consumed $(wc -l <"$T/all") records, expected $N"
want=$(sed 's/^user-[0-9]*://' "$T/in" | LC_ALL=C sort | sha256sum)
got=$(LC_ALL=C sort "$T/all" | sha256sum)
[ "$want" = "$got" ] || fail "the consumed values differ from the produced ones"

# Per partition, with keys: placement and order.
for p in 0 1 2 3; do
    ok "$EDDY" topic consume big --partition "$p" --from-beginning --timeout-ms 0 --print-key
    sed "s/^/$p\t/" "$T/out" >>"$T/parts"
done
[ "$(wc -l <"$T/parts")" -eq "$N" ] || fail "partitions hold $(wc -l <"$T/parts") records"
python3 - "$T/parts" "$KEYS" <<'EOF' || fail "key placement or order (see above)"
import sys

def murmur2(data):
    """Kafka's org.apache.kafka.common.utils.Utils.murmur2, as an unsigned 32-bit value."""
    m, r = 0x5BD1E995, 24
    h = (0x9747B28C ^ len(data)) & 0xFFFFFFFF
    n4 = len(data) // 4
    for i in range(n4):
        k = int.from_bytes(data[4 * i:4 * i + 4], "little")
        k = (k * m) & 0xFFFFFFFF
        k ^= k >> r
        k = (k * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    rest = len(data) & 3
    tail = data[4 * n4:]
    if rest == 3:
        h ^= tail[2] << 16
    if rest >= 2:
        h ^= tail[1] << 8
    if rest >= 1:
        h ^= tail[0]
        h = (h * m) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * m) & 0xFFFFFFFF
    h ^= h >> 15
    return h

def signed(u):
    return u - (1 << 32) if u & 0x80000000 else u

# Vectors from Kafka's UtilsTest.testMurmur2.
for s, v in [(b"21", -973932308), (b"foobar", -790332482),
             (b"a-little-bit-long-string", -985981536),
             (b"a-little-bit-longer-string", -1486304829),
             (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
             (b"abc", 479470107)]:
    if signed(murmur2(s)) != v:
        sys.exit("the test's murmur2 is wrong for %r" % s)

keys = int(sys.argv[2])
where = {"user-%d" % k: (murmur2(b"user-%d" % k) & 0x7FFFFFFF) % 4 for k in range(keys)}
last = {}
seen = 0
for line in open(sys.argv[1], encoding="utf-8"):
    p, key, value = line.rstrip("\n").split("\t")
    if key == "null":
        continue
    seen += 1
    if where.get(key) != int(p):
        sys.exit("key %s is on partition %s; Kafka's partitioner says %s"
                 % (key, p, where.get(key)))
    i = int(value[1:value.index("-")])
    if i <= last.get(key, -1):
        sys.exit("records of key %s out of order (%d after %d)" % (key, i, last[key]))
    last[key] = i
if seen != 500000 or len(last) != keys:
    sys.exit("expected 500000 keyed records over %d keys, got %d over %d" % (keys, seen, len(last)))
EOF

echo "million: ok ($N records: produce ${produce_ms} ms, consume ${consume_ms} ms)"
