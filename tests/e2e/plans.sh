#!/usr/bin/env bash
# tests/e2e/plans.sh - golden EXPLAIN output, so that plan changes are reviewed.
#
# For each tests/e2e/plans/<case>.sql: run it with `eddy run` on a fresh data directory (the
# scripts create their topics with PARTITIONS and start no query, so `run` exits at once) and
# compare everything it prints on stdout - the statements' messages and each EXPLAIN's plan -
# with <case>.explain, byte for byte. Every .sql needs its .explain and the other way round.
#
# After an intended plan change, regenerate the goldens and review the diff:
#     EDDY=bin/eddy UPDATE_GOLDEN=1 bash tests/e2e/plans.sh && git diff tests/e2e/plans
. "$(dirname "$0")/lib/e2e.bash"

dir=$(cd "$(dirname "$0")/plans" && pwd)
n=0
for sql in "$dir"/*.sql; do
    [ -e "$sql" ] || fail "no cases in $dir"
    name=$(basename "$sql" .sql)
    golden="$dir/$name.explain"
    data="$T/$name"
    "$EDDY" --data "$data" run "$sql" >"$T/$name.out" 2>"$T/$name.err" </dev/null
    rc=$?
    [ "$rc" -eq 0 ] || fail "$name.sql: eddy run exited $rc: $(head -c 500 "$T/$name.err")"
    grep -q '^\[0\] SOURCE ' "$T/$name.out" || fail "$name.sql printed no plan"
    if [ -n "${UPDATE_GOLDEN:-}" ]; then
        cp "$T/$name.out" "$golden"
    else
        [ -f "$golden" ] || fail "$name.sql has no golden file $name.explain"
        cmp -s "$golden" "$T/$name.out" ||
            fail "plan of $name.sql differs from $name.explain (- golden, + now):
$(diff -u "$golden" "$T/$name.out" | tail -n +3 | head -40)"
    fi
    n=$((n + 1))
done
for golden in "$dir"/*.explain; do
    [ -e "$golden" ] || continue
    [ -f "${golden%.explain}.sql" ] || fail "$(basename "$golden") has no .sql"
done
echo "plans: $n EXPLAIN goldens match"
