#!/bin/sh
# post-sync-reapply.sh: pull upstream under a patchq series and put the series back.
#
#   templates/post-sync-reapply.sh [PULL COMMAND...]
#
# Pops the series, runs the pull (default: git pull --no-rebase --no-edit upstream HEAD),
# reapplies every patch (refreshing what drifted, regenerating template patches) and
# writes the report to patchq-report.md. If the pull fails the series is pushed back and
# the tree is as it was. Exit codes are patchq's: 0 every patch is back, 1 a patch needs
# a person (see the report; then `patchq reapply --continue` or `--abort`), 2 usage.
set -u
PATCHQ=${PATCHQ:-patchq}
if [ "$#" -gt 0 ]; then
  "$PATCHQ" sync --pull "$*" --markdown patchq-report.md
else
  "$PATCHQ" sync --markdown patchq-report.md
fi
status=$?
[ "$status" -eq 0 ] || echo "patchq: the series needs a person (exit $status); report in patchq-report.md" >&2
exit "$status"
