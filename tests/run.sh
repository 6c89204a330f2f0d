#!/usr/bin/env bash
# Runs the unit test programs given as arguments (cmocka), then every end-to-end test:
# tests/e2e/*.sh scripts and tests/e2e/<area>/<case>/ directories in `eddy test` format.
# Ends with one line "tests: N passed, M failed" and exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
: "${EDDY:=$PWD/bin/eddy}"
export EDDY
passed=0
failed=0
failures=()

for t in "$@"; do
    out=$("$t" 2>&1)
    rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1   # crashed or failed outside cmocka's accounting
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        failures+=("$t")
        printf '%s\n' "$out" | tail -40
    fi
    printf '%-48s %3d passed, %d failed\n' "${t##*/tests/}" "$p" "$f"
done

if [ -z "${SKIP_E2E:-}" ]; then
    for s in tests/e2e/*.sh; do
        [ -e "$s" ] || continue
        start=$(date +%s)
        out=$(bash "$s" 2>&1)
        rc=$?
        secs=$(( $(date +%s) - start ))
        if [ "$rc" -eq 0 ]; then
            passed=$((passed + 1))
            printf '%-48s ok (%ds)\n' "e2e/${s##*/}" "$secs"
        else
            failed=$((failed + 1))
            failures+=("$s")
            printf '%s\n' "$out" | tail -30
            printf '%-48s FAILED (%ds)\n' "e2e/${s##*/}" "$secs"
        fi
    done
    # SQL cases: any directory holding statements.sql, input.json and output.json.
    while IFS= read -r d; do
        [ -n "$d" ] || continue
        if [ -f "$d/expect-error" ]; then
            out=$("$EDDY" test -s "$d/statements.sql" -i "$d/input.json" -o "$d/output.json" 2>&1)
            rc=$?
            if [ "$rc" -eq 1 ] && grep -qF -- "$(cat "$d/expect-error")" <<<"$out"; then ok=1; else ok=0; fi
        else
            out=$("$EDDY" test -s "$d/statements.sql" -i "$d/input.json" -o "$d/output.json" 2>&1)
            rc=$?
            if [ "$rc" -eq 0 ]; then ok=1; else ok=0; fi
        fi
        if [ "$ok" = 1 ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            failures+=("$d")
            printf '%s\n%-48s FAILED\n' "$out" "${d#tests/}"
        fi
    done < <(find tests/e2e -name statements.sql -printf '%h\n' 2>/dev/null | sort)
fi

if [ "${#failures[@]}" -gt 0 ]; then
    echo "failing:"
    printf '  %s\n' "${failures[@]}"
fi
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
