#!/usr/bin/env bash
# examples/run.sh - what `make run` starts. Until the SQL shell exists it loads a small example
# topic, "pageviews" (2 partitions, 10 JSON records keyed by user), into the data directory
# ($EDDY_DATA, else ./eddy-data) unless it is already there, and prints the SQL script and
# topic commands to try next. Running it again changes nothing.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
EDDY=${EDDY:-$here/../bin/eddy}
DATA=${EDDY_DATA:-./eddy-data}
export EDDY_DATA="$DATA"

topics=$("$EDDY" topic list)   # fails (and says why) when the directory is unusable
if ! grep -qx pageviews <<<"$topics"; then
    "$EDDY" topic create pageviews --partitions 2 >/dev/null
    "$EDDY" topic produce pageviews --json <"$here/data/pageviews.json" 2>/dev/null
    echo "Loaded the example topic 'pageviews' (10 records) into $DATA."
else
    echo "The example topic 'pageviews' is already in $DATA."
fi

# Show the commands with a short path to the binary when it is the one in this checkout.
e=$(realpath --relative-to=. "$EDDY" 2>/dev/null || echo "$EDDY")
case "$e" in
    /*) ;;
    ../*) e=$(realpath "$EDDY") ;;
    *) e="./$e" ;;
esac
data=""
[ "$DATA" = ./eddy-data ] || data=" --data $DATA"
sql=$(realpath --relative-to=. "$here/sql/pageviews/statements.sql" 2>/dev/null ||
      echo "$here/sql/pageviews/statements.sql")
case "$sql" in ../*) sql=$(realpath "$here/sql/pageviews/statements.sql") ;; esac

cat <<MSG

The SQL shell is not built yet; meanwhile, run a SQL script over the topic (Ctrl-C stops it):

  $e$data run $sql
  $e$data topic consume PAGE_11_VIEWS --from-beginning --timeout-ms 1000 --print-key

or try the topic commands:

  $e$data topic list
  $e$data topic describe pageviews
  $e$data topic consume pageviews --from-beginning --timeout-ms 1000
  $e$data topic consume pageviews --from-beginning --timeout-ms 1000 --json
  $e$data topic consume pageviews --from-beginning --timeout-ms 1000 --print-key --partition 0
  echo '{"key":"User_6","value":{"userid":"User_6","pageid":"Page_7"}}' | $e$data topic produce pageviews --json
  printf 'User_7:hello\\nUser_8:world\\n' | $e$data topic produce pageviews --key-separator :
  $e$data topic consume pageviews --group demo --from-beginning --timeout-ms 1000
  $e$data topic create clicks --partitions 4 --config retention.ms=86400000
  $e --help; $e topic --help
MSG
