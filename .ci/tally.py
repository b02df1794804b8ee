"""Adds up pytest's closing summaries from the given logs; prints one closing summary line.

The line is in pytest's own format (``==== 1264 passed, 11 skipped in 612.34s (0:10:12) ====``),
counts and durations summed over the logs, so that a CI system reading the last pytest-style
summary of the run reads the suites' totals. Exits non-zero when a log has no pytest summary,
or when any test failed or errored.
"""

from __future__ import annotations

import datetime as dt
import re
import sys

COUNT = re.compile(r"(\d+) (failed|passed|skipped|deselected|xfailed|xpassed|warnings?|errors?)")
DURATION = re.compile(r" in ([\d.]+)s\b")
# pytest's order in its closing line
ORDER = ("failed", "passed", "skipped", "deselected", "xfailed", "xpassed", "warning", "error")
WIDTH = 80


def _key(word: str) -> str:
    return word.removesuffix("s") if word in {"warnings", "errors"} else word


def _plural(key: str, number: int) -> str:
    """As pytest: "1 error", "2 errors", "1 warning", "2 warnings"."""
    return key + "s" if key in {"warning", "error"} and number != 1 else key


def summary(path: str) -> tuple[dict[str, int], float]:
    """The counts and the duration of the last pytest summary line in ``path``."""
    with open(path, encoding="utf-8", errors="replace") as log:
        lines = log.readlines()
    for line in reversed(lines):
        found = COUNT.findall(line)
        duration = DURATION.search(line)
        if found and duration:
            counts: dict[str, int] = {}
            for number, word in found:
                counts[_key(word)] = counts.get(_key(word), 0) + int(number)
            return counts, float(duration.group(1))
    sys.exit(f"no pytest summary in {path}")


def session_duration(seconds: float) -> str:
    """As pytest writes it: seconds, and past a minute, h:mm:ss too."""
    if seconds < 60:
        return f"{seconds:.2f}s"
    return f"{seconds:.2f}s ({dt.timedelta(seconds=int(seconds))})"


def closing_line(counts: dict[str, int], seconds: float) -> str:
    parts = [
        f"{counts.get(key, 0)} {_plural(key, counts.get(key, 0))}"
        for key in ORDER
        if counts.get(key) or key == "passed"
    ]
    message = f"{', '.join(parts)} in {session_duration(seconds)}"
    # pytest's terminal writer: centred in 80 columns, one more "=" on the right if it fits
    fill = "=" * max((WIDTH - len(message) - 2) // 2, 1)
    line = f"{fill} {message} {fill}"
    return line + "=" if len(line) < WIDTH else line


def main(paths: list[str]) -> int:
    total: dict[str, int] = {}
    seconds = 0.0
    for path in paths:
        counts, duration = summary(path)
        seconds += duration
        for key, number in counts.items():
            total[key] = total.get(key, 0) + number
    print(closing_line(total, seconds))
    failed = total.get("failed", 0) + total.get("error", 0)
    return 1 if failed or not total.get("passed") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
