#!/bin/sh
# Container entrypoint: make the recorded jobs match schedules.yaml, then run the embedded
# scheduler in the foreground as the container's main process. `docker stop` sends SIGTERM:
# the daemon lets running jobs finish within its grace period (SCHED_DAEMON_GRACE_SECONDS,
# default 30 — keep `docker stop -t` above it), then stops them, and exits 0.
set -eu
cd /app
sched validate
sched apply --auto-approve
exec sched daemon "$@"
