"""Fault soak, long form (issue 6), run by hand:

    python benchmarks/soak.py [--subscribers 10000] [--seed N] [--p-timeout 0.003]

One article to 10,000 subscribers through `newsbot run` (a real subprocess) while the fake
Bot API (in this process) answers at random with 429 (retry_after 1-3 s), 500, 502, timeouts
and dropped connections that may or may not have delivered; 2% of readers blocked the bot;
the bot is SIGKILLed at 30% and 65% and restarted. Prints the time to finish, the faults,
the duplicates against their bound (one per sender worker per kill plus one per
timeout/drop the fake delivered) and the outbox; exits 1 if a guarantee broke. The short
form, with the same code and checks, is tests/test_soak.py.

Each timeout holds its sender (and the engine's batch) for PTB's 5 s read timeout, so with
the default mix (0.3% timeouts) timeouts take most of the run time.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.botprocess import run_checked  # noqa: E402
from tests.test_soak import FaultMix, SoakPlan, problems, run_soak, summary  # noqa: E402


async def main() -> int:
    """Run the soak once and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=SoakPlan.seed)
    parser.add_argument("--p-timeout", type=float, default=FaultMix.p_timeout)
    args = parser.parse_args()
    plan = SoakPlan(
        subscribers=args.subscribers,
        seed=args.seed,
        faults=replace(FaultMix(), p_timeout=args.p_timeout),
        finish_timeout=1800.0,
    )
    print(f"Fault soak: {plan.subscribers:,} subscribers, faults {plan.faults}, seed {plan.seed}")
    return await run_checked(
        lambda fake, tmp: run_soak(fake, plan, tmp), summary, problems, lambda r: r.log_tail
    )


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
