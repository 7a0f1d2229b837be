#!/usr/bin/env bash
# expect_all.sh CODE REGEX... -- CMD...: runs CMD, passes when it exits with CODE
# and its combined output matches every REGEX (grep -E); a REGEX starting with
# '!' must not match.
set -u
want=$1
shift
regexes=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  regexes+=("$1")
  shift
done
shift
out=$("$@" 2>&1)
rc=$?
if [ "$rc" -ne "$want" ]; then
  printf 'expected exit %s, got %s\n%s\n' "$want" "$rc" "$out"
  exit 1
fi
for r in "${regexes[@]}"; do
  if [ "${r:0:1}" = "!" ]; then
    if grep -Eq -- "${r:1}" <<<"$out"; then
      printf 'output matches /%s/ but must not:\n%s\n' "${r:1}" "$out"
      exit 1
    fi
  elif ! grep -Eq -- "$r" <<<"$out"; then
    printf 'output does not match /%s/:\n%s\n' "$r" "$out"
    exit 1
  fi
done
echo "ok: exit $rc, output matches ${#regexes[@]} patterns"
