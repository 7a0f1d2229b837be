#!/usr/bin/env bash
# cmake --install into a temp prefix: ptcheck runs from there without --root,
# from a directory that is no project, and uses the installed data.
set -euo pipefail
build=$(realpath "$1")
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -x "$prefix/bin/ptcheck"
test -f "$prefix/share/ptcheck/arch/x86_64/arch.toml"
test -f "$prefix/share/ptcheck/arch/Kconfig.toml"
test -d "$prefix/share/ptcheck/model" && test -d "$prefix/share/ptcheck/spec"
cd "$prefix"
out=$(env -u PTCHECK_ROOT PATH="$prefix/bin:$PATH" ptcheck list)
grep -q "^root: $prefix/bin/../share/ptcheck\|^root: $prefix/share/ptcheck" <<<"$out" || { echo "$out" | head -3; exit 1; }
out=$(env -u PTCHECK_ROOT PATH="$prefix/bin:$PATH" ptcheck check lost_update)
grep -Eq "^lost_update +x86_64 +violation bug +violation bug" <<<"$out"
env -u PTCHECK_ROOT PATH="$prefix/bin:$PATH" ptcheck replay "$prefix/share/ptcheck/counterexamples/lost_update.trace"
echo "ok: installed into $prefix"
# The Debian package: extracted anywhere, it runs the same way.
if command -v cpack >/dev/null && command -v dpkg-deb >/dev/null; then
  (cd "$build" && cpack -G DEB -B "$prefix/deb" >/dev/null)
  deb=$(ls "$prefix"/deb/ptcheck_*.deb)
  dpkg-deb -x "$deb" "$prefix/root"
  out=$(env -u PTCHECK_ROOT "$prefix/root/usr/bin/ptcheck" list)
  grep -q "^root: $prefix/root/usr/share/ptcheck" <<<"$out" || { echo "$out" | head -3; exit 1; }
  echo "ok: $(basename "$deb") runs from its files"
fi
