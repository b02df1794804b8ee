"""One line from a schemathesis NDJSON event report: operations, cases and failures.

Usage: api_fuzz_summary.py EVENTS.ndjson EXIT_STATUS. Prints e.g. ``api fuzz: 49 operations,
3164 cases, 0 failures`` (each failure as ``check: METHOD path`` on the lines before it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(path: str, status: str) -> None:
    operations, cases, failures = 0, set(), set()
    events = Path(path).read_text(encoding="utf-8").splitlines() if Path(path).exists() else []
    for line in events:
        event = json.loads(line)
        if "LoadingFinished" in event:
            operations = event["LoadingFinished"]["statistic"]["operations"]["selected"]
        finished = event.get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished["recorder"]
        cases.update(recorder.get("cases", {}))
        for case_id, checks in recorder.get("checks", {}).items():
            for check in checks:
                if check["status"] == "failure":
                    case = recorder["cases"].get(case_id, {}).get("value", {})
                    where = f"{case.get('method', '?')} {case.get('path', recorder['label'])}"
                    failures.add(f"{check['name']}: {where}")
    for failure in sorted(failures):
        print(f"  failed {failure}")
    result = f"api fuzz: {operations} operations, {len(cases)} cases, {len(failures)} failures"
    if status != "0" and not failures:
        result += f" (schemathesis exited {status})"
    print(result)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
