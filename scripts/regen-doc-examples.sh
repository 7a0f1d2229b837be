#!/usr/bin/env bash
# The example runs shown in README.md and docs/*.md come from real runs: every
# fenced block whose first line is `$ ptcheck ...` is that command and its
# output. This script reruns each command and writes its output into the block
# (default), or, with --check, compares without writing and exits 1 naming
# each block whose output changed (the ctest docs.examples).
#
# Timings are left out of the comparison: the last column of a `check` result
# row (seconds) and any "N.NN s" figure are replaced by a placeholder on both
# sides. A command runs with the project root as its root, in a scratch
# directory (a `--trace-out FILE` there, then `cat FILE`, shows a trace).
#   bash scripts/regen-doc-examples.sh [--check] [path/to/ptcheck]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mode=write
if [ "${1:-}" = "--check" ]; then mode=check; shift; fi
ptcheck=$(realpath "${1:-./build/release/checker/ptcheck}")
[ -x "$ptcheck" ] || { echo "regen-doc-examples.sh: no ptcheck at $ptcheck (build it first)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "regen-doc-examples.sh: python3 is needed (scripts/setup.sh)" >&2; exit 2; }
exec python3 - "$mode" "$ptcheck" "$PWD" README.md docs/*.md <<'EOF'
import os, re, subprocess, sys, tempfile

mode, ptcheck, root, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
bindir = tempfile.mkdtemp(prefix="ptcheck-doc-bin-")
os.symlink(ptcheck, os.path.join(bindir, "ptcheck"))
env = dict(os.environ, PTCHECK_ROOT=root, PATH=bindir + os.pathsep + os.environ["PATH"], COLUMNS="200")

# Result rows of `check` end in the seconds column; other figures say "N.NN s".
ROW = re.compile(r"^(\S+\s+\S+\s+.*\s)(\d+\.\d+)$")
SECS = re.compile(r"\b\d+(\.\d+)? ?s\b")
def normal(lines):
    out = []
    for l in lines:
        m = ROW.match(l)
        if m:
            l = m.group(1).rstrip() + " <seconds>"
        out.append(SECS.sub("<time>", l).rstrip())
    return out

def run(cmd):
    with tempfile.TemporaryDirectory(prefix="ptcheck-doc-") as work:
        p = subprocess.run(["bash", "-c", cmd], cwd=work, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    return p.stdout.rstrip("\n").split("\n")

changed = 0
for path in files:
    text = open(path).read().split("\n")
    out, i = [], 0
    while i < len(text):
        line = text[i]
        out.append(line)
        i += 1
        if not (line.startswith("```") and i < len(text) and text[i].startswith("$ ptcheck ")):
            continue
        cmd = text[i]
        j = i + 1
        while j < len(text) and not text[j].startswith("```"):
            j += 1
        old, new = text[i + 1:j], run(cmd[2:])
        if normal(old) != normal(new):
            changed += 1
            where = f"{path}:{i + 1}"
            if mode == "check":
                print(f"{where}: the output of `{cmd[2:]}` changed:")
                import difflib
                for d in difflib.unified_diff(normal(old), normal(new), "documented", "now", lineterm="", n=1):
                    print("  " + d)
            else:
                print(f"{where}: rewritten from a run of `{cmd[2:]}`")
        out.append(cmd)
        out.extend(new if mode == "write" else old)
        i = j
    if mode == "write":
        open(path, "w").write("\n".join(out))
os.remove(os.path.join(bindir, "ptcheck"))
os.rmdir(bindir)
if mode == "check":
    print(f"doc examples: {changed} block(s) out of date" if changed else "doc examples: every block matches a fresh run")
    if changed:
        print("regenerate them with: bash scripts/regen-doc-examples.sh")
sys.exit(1 if mode == "check" and changed else 0)
EOF
