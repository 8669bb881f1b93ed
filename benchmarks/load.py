"""Updates under load, long form (issue 6), run by hand:

    python benchmarks/load.py [--users 500] [--seconds 60] [--think 2 8]

Simulated readers (in this process, on the fake Bot API) use `newsbot run` (a real
subprocess) at once: /help, /settings, /related as a reply to the article, comments as replies
and through the Comment button's prompt, the Comments (N) and related-article buttons. Each
waits for the answer, then thinks for a random time in --think seconds. Prints p50/p95
latency (the fake's monotonic time of the answer minus the moment the update was queued),
overall and per kind, and the comment figures: every acknowledged comment must be a row in
SQLite, readers under the 5-a-minute limit are never refused, every 20th reader bursts 8
comments (5 stored, 3 refused). Exits 1 if a check failed. The short form, with the same code
and checks, is tests/test_load.py.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botprocess import run_checked  # noqa: E402
from tests.test_load import LoadPlan, problems, run_load, summary  # noqa: E402


async def main() -> int:
    """Run the load once and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0))
    args = parser.parse_args()
    plan = LoadPlan(users=args.users, seconds=args.seconds, think=(args.think[0], args.think[1]))
    print(
        f"Load: {plan.users} readers for {plan.seconds:.0f} s, thinking "
        f"{plan.think[0]:g}-{plan.think[1]:g} s between actions"
    )
    return await run_checked(
        lambda fake, tmp: run_load(fake, plan, tmp), summary, problems, lambda r: r.log_tail
    )


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
