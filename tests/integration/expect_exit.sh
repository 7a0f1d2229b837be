#!/usr/bin/env bash
# expect_exit.sh CODE REGEX CMD...: runs CMD, passes when it exits with CODE and
# its combined output matches REGEX (grep -E).
set -u
want=$1 regex=$2
shift 2
out=$("$@" 2>&1)
rc=$?
if [ "$rc" -ne "$want" ]; then
  printf 'expected exit %s, got %s\n%s\n' "$want" "$rc" "$out"
  exit 1
fi
if ! grep -Eq -- "$regex" <<<"$out"; then
  printf 'output does not match /%s/:\n%s\n' "$regex" "$out"
  exit 1
fi
echo "ok: exit $rc, output matches /$regex/"
