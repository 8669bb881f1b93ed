"""Rate limiting and fault injection for the fake Bot API."""

from __future__ import annotations

import random
import time
from collections import deque
from dataclasses import dataclass, field

# Calls that deliver content count against Telegram's flood limits.
RATE_LIMITED_METHODS = frozenset(
    {"sendmessage", "editmessagetext", "senddocument", "sendphoto", "editmessagereplymarkup"}
)


class RateLimiter:
    """Telegram's documented flood limits, enforced strictly.

    * globally at most ``global_rate`` (30) calls in any sliding 1-second window;
    * private chats: a token bucket of ``private_burst`` (3) refilled at 1 message/second, so
      the documented "about one message per second" holds over time while a short reply burst
      (text + keyboard + follow-up) is allowed, as Telegram allows it in practice;
    * groups and supergroups: at most ``group_per_minute`` (20) in any sliding 60-second window;
    * calls with ``allow_paid_broadcast`` skip the 30/s window and count against their own
      ``paid_rate`` (1000/s) window instead, as Telegram's paid broadcasts do.

    A rejected call does not consume capacity. ``retry_after`` is always 1.
    """

    def __init__(
        self,
        global_rate: int = 30,
        private_burst: int = 3,
        group_per_minute: int = 20,
        paid_rate: int = 1000,
    ) -> None:
        self.global_rate = global_rate
        self.paid_rate = paid_rate
        self._paid: deque[float] = deque()
        self.private_burst = private_burst
        self.group_per_minute = group_per_minute
        self._global: deque[float] = deque()
        self._buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, last refill)
        self._groups: dict[int, deque[float]] = {}

    def allow(
        self,
        chat_id: int | None,
        is_private: bool,
        *,
        paid: bool = False,
        now: float | None = None,
    ) -> bool:
        """Return True and record the call if it fits every applicable limit."""
        now = time.monotonic() if now is None else now
        window, limit = (self._paid, self.paid_rate) if paid else (self._global, self.global_rate)
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= limit:
            return False
        if chat_id is not None and not self._allow_chat(chat_id, is_private, now):
            return False
        window.append(now)
        return True

    def _allow_chat(self, chat_id: int, is_private: bool, now: float) -> bool:
        if is_private:
            tokens, last = self._buckets.get(chat_id, (float(self.private_burst), now))
            tokens = min(float(self.private_burst), tokens + (now - last))
            if tokens < 1.0:
                self._buckets[chat_id] = (tokens, now)
                return False
            self._buckets[chat_id] = (tokens - 1.0, now)
            return True
        window = self._groups.setdefault(chat_id, deque())
        while window and now - window[0] >= 60.0:
            window.popleft()
        if len(window) >= self.group_per_minute:
            return False
        window.append(now)
        return True


@dataclass
class Latency:
    """The network between the bot and Telegram: each call's answer comes a round trip late.

    ``round_trip`` seconds (plus up to ``jitter`` more, uniformly) per call, or the
    ``per_method`` value (lower-case method name) where one is given. Half of it passes
    before the call takes effect at "Telegram" (where the flood limits count it), half
    before the answer arrives, as on a real network. Calls are delayed independently: a slow
    answer never holds up another call.
    """

    round_trip: float = 0.0
    jitter: float = 0.0
    per_method: dict[str, float] = field(default_factory=dict)
    rng: random.Random = field(default_factory=random.Random)

    def sample(self, method: str) -> float:
        """One call's round trip, in seconds."""
        base = self.per_method.get(method.lower(), self.round_trip)
        if base <= 0 and self.jitter <= 0:
            return 0.0
        return base + (self.rng.uniform(0.0, self.jitter) if self.jitter > 0 else 0.0)


@dataclass
class ForcedFault:
    """One queued ``fail_next`` entry."""

    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None
    kind: str  # "error", "timeout" or "drop"
    deliver: bool


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one incoming call."""

    kind: str  # "error", "timeout" or "drop"
    status: int
    description: str
    retry_after: int | None
    deliver: bool


@dataclass(frozen=True)
class RandomFaults:
    """Probabilities for soak tests; ``methods`` None means every method."""

    p_429: float = 0.0
    p_500: float = 0.0
    p_502: float = 0.0
    p_timeout: float = 0.0
    p_drop: float = 0.0
    retry_after: tuple[int, int] = (1, 3)
    deliver_before_fault: float = 0.5
    methods: frozenset[str] | None = None


class FaultPlan:
    """Queued (``fail_next``) and random faults; queued ones win."""

    def __init__(self) -> None:
        self.queued: list[ForcedFault] = []
        self.random = RandomFaults()
        self.rng = random.Random()

    def pick(self, method: str, chat_id: int | None) -> FaultDecision | None:
        """Consume the applicable fault for this call, if any."""
        for forced in self.queued:
            if forced.method == method and forced.chat_id in (None, chat_id):
                forced.remaining -= 1
                if forced.remaining <= 0:
                    self.queued.remove(forced)
                return FaultDecision(
                    forced.kind,
                    forced.status,
                    forced.description,
                    forced.retry_after,
                    forced.deliver,
                )
        return self._pick_random(method)

    def _pick_random(self, method: str) -> FaultDecision | None:
        cfg = self.random
        if cfg.methods is not None and method not in cfg.methods:
            return None
        roll = self.rng.random()
        table = (
            (cfg.p_429, "error", 429),
            (cfg.p_500, "error", 500),
            (cfg.p_502, "error", 502),
            (cfg.p_timeout, "timeout", 0),
            (cfg.p_drop, "drop", 0),
        )
        for probability, kind, status in table:
            if roll < probability:
                return self._random_decision(kind, status)
            roll -= probability
        return None

    def _random_decision(self, kind: str, status: int) -> FaultDecision:
        cfg = self.random
        if status == 429:
            wait = self.rng.randint(*cfg.retry_after)
            return FaultDecision(kind, 429, f"Too Many Requests: retry after {wait}", wait, False)
        if status == 500:
            return FaultDecision(kind, 500, "Internal Server Error", None, False)
        if status == 502:
            return FaultDecision(kind, 502, "Bad Gateway", None, False)
        # Timeouts and drops are ambiguous: Telegram may have accepted the message already.
        deliver = self.rng.random() < cfg.deliver_before_fault
        return FaultDecision(kind, 0, kind, None, deliver)
