# Shared by the SPIN twin scripts (run_twin.sh, twin_pairs.sh); sourced once
# ROOT and PTCHECK are set.
#   twin_positive WHAT VALUE...  exits 2 unless every VALUE is a positive number
#   twin_require TOOL...         exits 2 unless every TOOL is found and PTCHECK is built
#   twin_workdir                 sets TWIN (the twins' folder) and W (a temporary
#                                folder, removed when the script exits)
twin_positive() {
  local what=$1 n; shift
  for n in "$@"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "$0: $what '$n' is not a positive number" >&2; exit 2; }
  done
}
twin_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { echo "$0: $tool not found (scripts/setup.sh installs it)" >&2; exit 2; }
  done
  [ -x "$PTCHECK" ] || { echo "$0: $PTCHECK not built (cmake --build build/release)" >&2; exit 2; }
}
twin_workdir() {
  TWIN=$ROOT/tests/bench/twin
  W=$(mktemp -d)
  trap 'rm -rf "$W"' EXIT
}
