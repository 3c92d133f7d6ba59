#!/bin/sh
# Called by sched when a job fails: SCHED_JOB, SCHED_RESULT, SCHED_EXIT_CODE and SCHED_LOG are set.
echo "job ${SCHED_JOB:-?} ended with ${SCHED_RESULT:-?} (exit ${SCHED_EXIT_CODE:-?}); log: ${SCHED_LOG:-?}" >&2
