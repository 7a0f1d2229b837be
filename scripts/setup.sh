#!/usr/bin/env bash
# Installs everything the ptcheck build needs from Debian 12 (bookworm) packages.
# Idempotent: re-running it only re-checks the packages. Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libz3-dev libtbb-dev libboost-graph-dev libcpputest-dev libcli11-dev
  nlohmann-json3-dev libfmt-dev libtoml11-dev libxxhash-dev
  # check --trace-out F.svg draws the sequence diagram with Graphviz's dot
  graphviz
  # the distributed search under mpirun (docs/distributed.md)
  openmpi-bin libopenmpi-dev
  # genhtml for check --coverage FILE.info (the cli.coverage test uses it when present)
  lcov
  # the libFuzzer targets (cmake --preset fuzz) and the .deb (cpack -G DEB)
  clang libclang-rt-14-dev dpkg-dev
  # tests/bench/run_twin.sh: the Promela twin (spin, gcc), JSON figures (jq),
  # CPU seconds and max RSS (GNU time)
  spin jq time
  # scripts/regen-doc-examples.sh and some integration tests
  python3
)

die() { echo "setup.sh: error: $*" >&2; exit 1; }

if [[ "$(id -u)" -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo -E)
else
  die "not root and sudo is not installed; run this script as root"
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script supports Debian 12 (bookworm)"

export DEBIAN_FRONTEND=noninteractive
echo "setup.sh: apt-get update"
"${SUDO[@]}" apt-get update -qq || die "apt-get update failed"
echo "setup.sh: installing ${PACKAGES[*]}"
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" \
  || die "apt-get install failed"

for tool in cmake ninja g++ pkg-config; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is still missing after installation"
done
echo "setup.sh: done"
