"""Adds up pytest's closing counts from the given logs; prints one closing line.

Exits non-zero when a log has no pytest summary, or when any test failed or errored.
"""

import re
import sys

COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)")


def summary(path: str) -> dict[str, int]:
    lines = [ln for ln in open(path, encoding="utf-8", errors="replace") if " in " in ln]
    for line in reversed(lines):
        found = COUNT.findall(line)
        if found and re.search(r" in [\d.]+s", line):
            counts: dict[str, int] = {}
            for number, word in found:
                key = "error" if word.startswith("error") else word
                counts[key] = counts.get(key, 0) + int(number)
            return counts
    sys.exit(f"no pytest summary in {path}")


total: dict[str, int] = {}
for log in sys.argv[1:]:
    for key, number in summary(log).items():
        total[key] = total.get(key, 0) + number
failed = total.get("failed", 0) + total.get("error", 0)
line = f"{total.get('passed', 0)} passed, {failed} failed"
if total.get("skipped"):
    line += f", {total['skipped']} skipped"
print(f"tests: {line}")
sys.exit(1 if failed or not total.get("passed") else 0)
