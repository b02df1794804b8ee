#!/usr/bin/env bash
# Known vulnerabilities in the installed dependencies (pip-audit, against PyPI's advisory
# data), and no secret committed. A vulnerable package fails the run. Where the advisory data
# cannot be reached (a machine whose package index is a mirror without it), pip-audit skips
# every package; that is reported plainly, with the count, and does not fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp -d /tmp/dep-audit.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

rc=0
.venv/bin/pip-audit --skip-editable --progress-spinner off --format json -o "$OUT/audit.json" \
  >"$OUT/log" 2>&1 || rc=$?
if [ ! -s "$OUT/audit.json" ]; then
  grep -v "^WARNING: Location" "$OUT/log" | tail -5
  echo "pip-audit did not run (exit $rc)"; exit 1
fi
.venv/bin/python - "$OUT/audit.json" <<'PYEOF'
import json
import sys

report = json.load(open(sys.argv[1]))
deps = report["dependencies"]
vulnerable = [d for d in deps if d.get("vulns")]
skipped = [d for d in deps if d.get("skip_reason")]
for dep in vulnerable:
    ids = ", ".join(v["id"] for v in dep["vulns"])
    fixes = sorted({f for v in dep["vulns"] for f in v.get("fix_versions", [])})
    print(f"VULNERABLE {dep['name']} {dep['version']}: {ids} (fixed in {', '.join(fixes) or '?'})")
audited = len(deps) - len(skipped)
print(f"pip-audit: {len(deps)} packages, {audited} audited, {len(vulnerable)} vulnerable")
if skipped and not audited:
    print(
        "pip-audit: the advisory data could not be reached from this machine, so no package "
        "was actually checked; run `bash .ci/dependency_audit.sh` where PyPI's JSON API answers"
    )
sys.exit(1 if vulnerable else 0)
PYEOF

# secrets: nothing that looks like a private key or a live credential is tracked
if git grep -nIE -e '-----BEGIN ([A-Z]+ )?PRIVATE KEY-----' -e 'rbk_[A-Za-z0-9]{6,}_[A-Za-z0-9_-]{20,}' \
     -e 'AKIA[0-9A-Z]{16}' -- ':!*.md' ':!.ci/dependency_audit.sh'; then
  echo "a committed secret (above): remove it and rotate it"; exit 1
fi
echo "secrets: no private key, API key or cloud credential in tracked files"
