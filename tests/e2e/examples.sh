#!/usr/bin/env bash
# examples.sh - keeps the examples and the SQL part of README.md's tour true: every
# examples/sql/<name>/ passes `eddy test`, and the `eddy run` walk-through (load the example
# topic as `make run` does, run examples/sql/pageviews/statements.sql, stop it, consume the
# output) prints what the README shows.
source "$(dirname "$0")/lib/e2e.bash"

root=$(cd "$(dirname "$0")/../.." && pwd)
n=0
for d in "$root"/examples/sql/*/; do
    [ -f "$d/statements.sql" ] || continue
    ok "$EDDY" test -s "$d/statements.sql" -i "$d/input.json" -o "$d/output.json"
    [ "$(cat "$T/out")" = "Test passed!" ] || fail "$d: $(cat "$T/out")"
    n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no examples under examples/sql"

# The README shows examples/sql/pageviews/statements.sql, less its comments.
awk '/^```sql$/ { on = 1; next } on && /^```$/ { exit } on' "$root/README.md" >"$T/readme.sql"
grep -v '^--' "$root/examples/sql/pageviews/statements.sql" >"$T/example.sql"
same "$T/readme.sql" "$T/example.sql" "the SQL in README.md (vs examples/sql/pageviews)"

# The README's `eddy run` tour, on a fresh data directory.
EDDY="$EDDY" ok "$root/examples/run.sh"
"$EDDY" run "$root/examples/sql/pageviews/statements.sql" >"$T/run.out" 2>"$T/run.err" \
    </dev/null &
pid=$!
E2E_PIDS+=("$pid")
for ((i = 0; i < 1000; i++)); do
    [ "$(cat "$EDDY_DATA"/topics/PAGE_11_VIEWS/*/*.log 2>/dev/null | grep -aoF VIEWED_AT |
        wc -l)" -ge 4 ] && break
    kill -0 "$pid" 2>/dev/null || fail "eddy run exited early: $(cat "$T/run.err")"
    sleep 0.01
done
((i < 1000)) || fail "PAGE_11_VIEWS did not get its 4 records in 10 s"
kill -INT "$pid"
wait "$pid" || fail "eddy run did not exit 0 after SIGINT: $(cat "$T/run.err")"
cat >"$T/want" <<'EOF'
Successfully changed local property 'auto.offset.reset' to 'earliest'.
Stream created
Created query with ID CSAS_PAGE_11_VIEWS_0
EOF
same "$T/run.out" "$T/want" "eddy run's output in the README"
ok "$EDDY" topic consume PAGE_11_VIEWS --from-beginning --timeout-ms 1000 --print-key
printf '%s\t%s\n' User_2 '{"VIEWED_AT":"22:13:25"}' User_5 '{"VIEWED_AT":"22:13:29"}' \
    User_1 '{"VIEWED_AT":"22:13:20"}' User_3 '{"VIEWED_AT":"22:13:22"}' >"$T/want"
same "$T/out" "$T/want" "PAGE_11_VIEWS in the README"

echo "examples: $n eddy test example(s) pass; the README's eddy run tour holds"
