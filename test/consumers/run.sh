#!/usr/bin/env bash
# Runs every consumer project in this folder against the package as it would be published: packs
# the repository (its prepack script builds), copies each project outside the repository (so
# nothing resolves from the repository's node_modules, ioredis included), installs it with
# `npm ci` from its lockfile, then the tarball with --no-save, and runs the project's own tests.
# One line per project, then "consumers: N passed, N failed" (a project that fails to install or
# build counts as one failed test). Exits non-zero when anything failed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/nest-cluster-consumers.XXXXXX")"
trap 'rm -rf "$work"' EXIT
quiet=(--no-audit --no-fund --loglevel=error)

passed=0
failed=0
consumers=()
for dir in "$here"/*/; do [ -f "$dir/package-lock.json" ] && consumers+=("$(basename "$dir")"); done

# NEST_CLUSTER_TARBALL runs the projects against another tarball (an older release, say).
if [ -n "${NEST_CLUSTER_TARBALL:-}" ]; then
  tarball="$(cd "$(dirname "$NEST_CLUSTER_TARBALL")" && pwd)/$(basename "$NEST_CLUSTER_TARBALL")"
elif packed="$(cd "$root" && npm pack --silent --pack-destination "$work" 2>"$work/pack.log" | tail -n1)" && [ -f "$work/$packed" ]; then
  tarball="$work/$packed"
else
  echo "npm pack failed:"; tail -n 30 "$work/pack.log"
  echo "consumers: 0 passed, ${#consumers[@]} failed"
  exit 1
fi

# Counts from Jest's --json report: "passed failed", or "0 1" when the run left no report.
jest_counts() {
  node -e '
    try {
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const suitesOnly = r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? 1 : 0;
      console.log(`${r.numPassedTests} ${r.numFailedTests + suitesOnly}`);
    } catch { console.log("0 1"); }
  ' "$1"
}

# Counts from node --test's summary (TAP "# pass N" or spec "ℹ pass N"): "passed failed", or "0 1"
# when it never ran.
tap_counts() {
  node -e '
    const text = require("fs").readFileSync(process.argv[1], "utf8");
    const count = (name) => Number((text.match(new RegExp(`^(?:#|ℹ) ${name} (\\d+)$`, "m")) ?? [])[1] ?? NaN);
    const [pass, fail, cancelled] = [count("pass"), count("fail"), count("cancelled")];
    console.log(Number.isNaN(pass) ? "0 1" : `${pass} ${fail + (cancelled || 0)}`);
  ' "$1"
}

# Runs one project's tests in $1 (its copy); prints "passed failed".
run_tests() {
  local name="$1" project="$2" log="$3"
  case "$name" in
    nest11-cjs)
      # The scripts `nest new` writes: unit tests and e2e tests, Jest as configured there.
      (cd "$project" && npm test -- --ci --json --outputFile="$work/$name-unit.json") >>"$log" 2>&1
      (cd "$project" && npm run test:e2e -- --ci --json --outputFile="$work/$name-e2e.json") >>"$log" 2>&1
      read -r up uf < <(jest_counts "$work/$name-unit.json")
      read -r ep ef < <(jest_counts "$work/$name-e2e.json")
      # Projects made before Nest 11 resolve types the node10 way; subpath entries must type-check there too.
      local tp=1 tf=0
      if ! (cd "$project" && npx tsc -p tsconfig.node10.json) >>"$log" 2>&1; then tp=0 tf=1; fi
      echo "$((up + ep + tp)) $((uf + ef + tf))"
      ;;
    *)
      (cd "$project" && npm test) >"$work/$name.tap" 2>>"$log"
      cat "$work/$name.tap" >>"$log"
      tap_counts "$work/$name.tap"
      ;;
  esac
}

for name in "${consumers[@]}"; do
  start=$SECONDS
  project="$work/$name"
  log="$work/$name.log"
  mkdir -p "$project"
  tar -C "$here/$name" --exclude=node_modules --exclude=dist -cf - . | tar -C "$project" -xf -
  if (cd "$project" && npm ci "${quiet[@]}" && npm install --no-save "${quiet[@]}" "$tarball") >"$log" 2>&1; then
    read -r p f < <(run_tests "$name" "$project" "$log")
  else
    p=0 f=1
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  echo "$name: $p passed, $f failed ($((SECONDS - start)) s)"
  if [ "$f" -gt 0 ]; then
    echo "--- $name output (last 60 lines)"; tail -n 60 "$log"
  fi
done

echo "consumers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
