# tests/e2e/lib/e2e.bash - shared by the tests/e2e/*.sh scripts (sourced, never run itself).
#
# Gives each script: $EDDY (absolute path of the eddy binary; default ./bin/eddy), a fresh
# temporary directory $T removed on exit, EDDY_DATA=$T/data, and helpers that fail the
# script with one clear message. Scripts print nothing on success but one summary line.

set -u
set -o pipefail

EDDY=${EDDY:-./bin/eddy}
case "$EDDY" in
    /*) ;;
    *) EDDY="$PWD/$EDDY" ;;
esac
[ -x "$EDDY" ] || { echo "FAIL: eddy binary '$EDDY' not found (set EDDY)" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/eddy-e2e.XXXXXX")
export EDDY_DATA="$T/data"
E2E_PIDS=()
e2e_cleanup() {
    local p
    for p in "${E2E_PIDS[@]:-}"; do
        [ -n "$p" ] && kill -9 "$p" 2>/dev/null
    done
    rm -rf "$T"
}
trap e2e_cleanup EXIT

# fail MESSAGE: print "FAIL: <script>: MESSAGE" and stop.
fail() {
    echo "FAIL: ${0##*/}: $*" >&2
    exit 1
}

# ok CMD...: run CMD (stdin from $STDIN, default /dev/null); stdout to $T/out, stderr to
# $T/err; fail unless it exits 0.
ok() {
    "$@" <"${STDIN:-/dev/null}" >"$T/out" 2>"$T/err"
    local rc=$?
    [ "$rc" -eq 0 ] || fail "'$*' exited $rc: $(head -c 500 "$T/err")"
}

# expect_fail CODE TEXT CMD...: CMD must exit with CODE and write exactly one line to stderr,
# starting with "eddy: " and containing TEXT.
expect_fail() {
    local code=$1 text=$2
    shift 2
    "$@" <"${STDIN:-/dev/null}" >"$T/out" 2>"$T/err"
    local rc=$?
    [ "$rc" -eq "$code" ] || fail "'$*' exited $rc, expected $code; stderr: $(head -c 500 "$T/err")"
    [ "$(wc -l <"$T/err")" -eq 1 ] || fail "'$*': expected one line on stderr, got: $(cat "$T/err")"
    grep -q '^eddy: ' "$T/err" || fail "'$*': stderr does not start with 'eddy: ': $(cat "$T/err")"
    grep -qF -- "$text" "$T/err" || fail "'$*': stderr lacks '$text': $(cat "$T/err")"
}

# same FILE1 FILE2 WHAT: fail with a diff excerpt unless the files are identical.
same() {
    cmp -s "$1" "$2" || fail "$3 differs: $(diff "$1" "$2" | head -10)"
}
