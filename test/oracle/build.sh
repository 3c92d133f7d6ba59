#!/bin/sh
# Builds the Debian-cron oracle: fetches Debian's cron source with `apt-get source cron` through a
# PRIVATE apt configuration (the machine's apt setup is never changed), then compiles our harness
# (test/oracle/harness.c) against Debian's own entry.c / misc.c parser into .vendor/cron-oracle.
# Idempotent: does nothing when the binary is newer than the harness.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENDOR="$ROOT/.vendor"
SRC="$VENDOR/cron-src"
OUT="$VENDOR/cron-oracle"
HARNESS="$ROOT/test/oracle/harness.c"

if [ -x "$OUT" ] && [ "$OUT" -nt "$HARNESS" ] && [ "$OUT" -nt "$0" ]; then
  echo "oracle: $OUT is up to date"
  exit 0
fi

mkdir -p "$VENDOR"

find_src() {
  # the unpacked source tree is cron-3.0pl1/ (entry.c at its top level)
  for d in "$SRC"/cron-*/; do
    if [ -f "$d/entry.c" ]; then echo "${d%/}"; return 0; fi
  done
  return 1
}

if ! CRONDIR=$(find_src); then
  command -v apt-get >/dev/null 2>&1 || { echo "oracle: apt-get not found; cannot fetch Debian's cron source" >&2; exit 1; }
  command -v dpkg-source >/dev/null 2>&1 || { echo "oracle: dpkg-source not found (install dpkg-dev)" >&2; exit 1; }
  APT="$VENDOR/apt"
  rm -rf "$APT"
  mkdir -p "$APT/sources.list.d" "$APT/lists/partial" "$APT/cache/archives/partial"
  found=0
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    sed 's/^Types:.*/Types: deb-src/' "$f" > "$APT/sources.list.d/$(basename "$f")"
    found=1
  done
  if [ -f /etc/apt/sources.list ]; then
    grep -E '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' > "$APT/sources.list.d/from-sources-list.list" || true
    [ -s "$APT/sources.list.d/from-sources-list.list" ] && found=1
  fi
  [ "$found" = 1 ] || { echo "oracle: no apt sources found under /etc/apt to derive a deb-src entry from" >&2; exit 1; }
  OPTS="-o Dir::Etc::SourceParts=$APT/sources.list.d -o Dir::Etc::SourceList=/dev/null -o Dir::State::Lists=$APT/lists -o Dir::Cache=$APT/cache -o Debug::NoLocking=1"
  echo "oracle: apt-get update (private deb-src configuration in $APT)"
  # shellcheck disable=SC2086
  if ! apt-get $OPTS -q update >"$APT/update.log" 2>&1; then
    echo "oracle: apt-get update failed (see $APT/update.log)" >&2; exit 1
  fi
  rm -rf "$SRC"; mkdir -p "$SRC"
  echo "oracle: apt-get source cron"
  # shellcheck disable=SC2086
  if ! (cd "$SRC" && apt-get $OPTS -q source cron >"$APT/source.log" 2>&1); then
    echo "oracle: 'apt-get source cron' failed (see $APT/source.log); Debian's cron source is needed for the oracle" >&2; exit 1
  fi
  CRONDIR=$(find_src) || { echo "oracle: cron source unpacked but entry.c not found under $SRC" >&2; exit 1; }
fi

command -v cc >/dev/null 2>&1 || { echo "oracle: no C compiler (cc) found" >&2; exit 1; }
echo "oracle: compiling $HARNESS with Debian's cron.c, entry.c, misc.c, env.c, compat.c from $CRONDIR"
# harness.c #includes cron.c (main renamed) to reach its static find_jobs(); entry.c etc. are
# compiled as they are in Debian's build (-DPOSIX as in its Makefile, DEBUGGING=0).
cc -O2 -w -DPOSIX -DDEBUGGING=0 -I"$CRONDIR" -o "$OUT.tmp" "$HARNESS" \
  "$CRONDIR/entry.c" "$CRONDIR/misc.c" "$CRONDIR/env.c" "$CRONDIR/compat.c"
mv "$OUT.tmp" "$OUT"
echo "oracle: built $OUT"
