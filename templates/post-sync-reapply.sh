#!/bin/sh
# post-sync-reapply.sh: pull upstream under a patchq series and put the series back.
#
#   templates/post-sync-reapply.sh [PULL COMMAND...]
#
# Pops the series, runs the pull (default: git pull --no-rebase --no-edit upstream HEAD),
# reapplies every patch (refreshing what drifted, regenerating template patches) and
# writes the report to patchq-report.md. If the pull fails and changes nothing, the series
# is pushed back and the tree is as it was; if it stops half-way (a merge conflict), the
# series stays popped and patchq says what to finish. Exit codes are patchq's: 0 every
# patch is back, 1 a patch needs a person (see the report; then `patchq reapply --continue`
# or `--abort`), or the sync failed before reapplying (see patchq's message), or a usage
# error (docs/exit-codes.md: a usage error is 1, as quilt's).
set -u
PATCHQ=${PATCHQ:-patchq}
REPORT=patchq-report.md
# The report is this run's: one left from an earlier run must not be taken for it.
rm -f "$REPORT"
if [ "$#" -gt 0 ]; then
  "$PATCHQ" sync --pull "$*" --markdown "$REPORT"
else
  "$PATCHQ" sync --markdown "$REPORT"
fi
status=$?
if [ "$status" -ne 0 ]; then
  if [ -f "$REPORT" ]; then
    echo "patchq: a patch needs a person (exit $status): see $REPORT, then 'patchq reapply --continue' or 'patchq reapply --abort'" >&2
  else
    echo "patchq: sync stopped before reapplying (exit $status): see the message above" >&2
  fi
fi
exit "$status"
