"""Updates under load (short form; `benchmarks/load.py` runs 500 users for 60 s).

Simulated readers use the real `newsbot run` subprocess all at once: /help, /settings,
/related as a reply to the article, comments as replies (directly or through the Comment
button's prompt), and the Comments (N) and related-article buttons. Each reader waits for the
answer before the next action (a person does), so every update must be answered; latency is
the fake's monotonic time of the answer minus the moment the update was queued.

The bot allows 5 comments a minute per user. Ordinary readers stay under it (at most 4 in a
run); every 20th reader is an abuser who bursts 8 comments: exactly 5 stored, 3 refused.
Every acknowledged comment must be a row in SQLite; no refused one may be.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import random
import sqlite3
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.clock import SystemClock
from bot.config import from_env
from bot.container import Storage, build_services
from storage.db import Database
from storage.models import NewArticle
from tests.botprocess import NoTelegram, spawn_bot, stop_bot
from tests.conftest import ADMIN_ID
from tests.fakes.botapi import FakeBotAPI
from tests.fakes.botapi_models import SentMessage

ACK = "your comment on"
REFUSED = "comments a minute"
RATE_LIMIT = 5  # bot.services.readers.comments.RATE_LIMIT, restated: the test checks the behaviour
WENT_WRONG = "something went wrong"
TITLE = "Harbour bridge reopens after repairs"
RELATED_TITLES = (
    "Harbour bridge closed for repairs",
    "Bridge repairs cost more than planned",
    "Ferry service extended while harbour bridge is shut",
)


@dataclass(frozen=True)
class LoadPlan:
    """How many readers, for how long, and how they behave."""

    users: int = 100
    seconds: float = 10.0
    first_user: int = 300_000
    abuser_every: int = 20
    burst: int = 8
    comment_quota: int = 4
    think: tuple[float, float] = (0.1, 0.6)
    answer_timeout: float = 20.0
    seed: int = 11

    @property
    def user_ids(self) -> range:
        """Every simulated reader's id (= their private chat id)."""
        return range(self.first_user, self.first_user + self.users)

    def abuser(self, user_id: int) -> bool:
        """Whether this reader bursts comments past the rate limit."""
        return (user_id - self.first_user) % self.abuser_every == self.abuser_every - 1


@dataclass
class Tally:
    """What the simulated readers saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    unanswered: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    acked: set[tuple[int, int]] = field(default_factory=set)
    refused: set[tuple[int, int]] = field(default_factory=set)
    abuser_acks: int = 0
    abuser_refusals: int = 0
    legit_refusals: int = 0

    def all_latencies(self) -> list[float]:
        """Every answered update's latency, in seconds."""
        return [x for values in self.latencies.values() for x in values]


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Watcher:
    """Routes the fake's new bot messages and callback answers to the simulated readers
    (one scan per change, instead of every reader scanning every message)."""

    def __init__(self, fake: FakeBotAPI) -> None:
        self.fake = fake
        self.seen = 0
        self.inbox: dict[int, asyncio.Queue[SentMessage]] = defaultdict(asyncio.Queue)
        self.answers: dict[str, asyncio.Future[float]] = {}

    async def run(self) -> None:
        """Dispatch forever (cancel to stop)."""
        while True:
            self.poll()
            await self.fake.changed(0.05)

    def poll(self) -> None:
        """Hand out what arrived since the last call."""
        sent = self.fake.sent
        for message in sent[self.seen :]:
            self.inbox[message.chat_id].put_nowait(message)
        self.seen = len(sent)
        for query_id, future in list(self.answers.items()):
            answered = self.fake.answered_at.get(query_id)
            if answered is not None:
                del self.answers[query_id]
                future.set_result(answered)

    async def next_message(self, chat_id: int, timeout: float) -> SentMessage:
        """The next bot message in a chat."""
        return await asyncio.wait_for(self.inbox[chat_id].get(), timeout)

    async def answered(self, query_id: str, timeout: float) -> float:
        """When the callback query was answered (monotonic)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.answers[query_id] = future
        self.poll()
        return await asyncio.wait_for(future, timeout)


class Reader:
    """One simulated reader: acts, waits for the answer, thinks, acts again."""

    def __init__(
        self, fake: FakeBotAPI, watcher: Watcher, user_id: int, plan: LoadPlan, tally: Tally
    ) -> None:
        self.fake = fake
        self.watcher = watcher
        self.uid = user_id
        self.plan = plan
        self.tally = tally
        self.rng = random.Random(plan.seed * 1_000_003 + user_id)
        self.article: SentMessage | None = None
        self.comments = 0

    async def _answer(self, kind: str, started: float, expect: str) -> SentMessage | None:
        try:
            message = await self.watcher.next_message(self.uid, self.plan.answer_timeout)
        except TimeoutError:
            self.tally.unanswered.append(f"{self.uid} {kind}")
            return None
        self.tally.latencies[kind].append(message.mono - started)
        if expect not in message.text or WENT_WRONG in message.text.lower():
            self.tally.wrong.append(f"{self.uid} {kind}: {message.text[:120]!r}")
            return None
        return message

    async def say(
        self, kind: str, text: str, expect: str, reply_to: int | None = None
    ) -> SentMessage | None:
        """Send a message (the moment it is queued is the start of the latency)."""
        started = time.monotonic()
        self.fake.send_text(self.uid, text, reply_to=reply_to)
        return await self._answer(kind, started, expect)

    async def press(
        self, kind: str, message_id: int, data: str, expect: str
    ) -> SentMessage | None:
        """Press a button: the callback answer, then the message it brings."""
        started = time.monotonic()
        query = self.fake.press_button(self.uid, self.uid, message_id, data)
        try:
            answered = await self.watcher.answered(query, self.plan.answer_timeout)
        except TimeoutError:
            self.tally.unanswered.append(f"{self.uid} {kind}")
            return None
        self.tally.latencies[kind].append(answered - started)
        note = self.fake.callback_answers[query]["text"] or ""
        if note:  # these buttons answer silently; any text is an expiry or failure notice
            self.tally.wrong.append(f"{self.uid} {kind} answered {note!r}")
            return None
        return await self._answer(f"{kind}-message", started, expect)

    async def comment(self, reply_to: int) -> None:
        """Reply with a comment and classify the answer."""
        self.comments += 1
        started = time.monotonic()
        sent = self.fake.send_text(
            self.uid, f"Comment {self.comments} from {self.uid} ✍️", reply_to=reply_to
        )
        key = (self.uid, int(sent["message_id"]))
        message = await self._answer("comment", started, "")
        if message is None:
            return
        if ACK in message.text:
            self.tally.acked.add(key)
            if self.plan.abuser(self.uid):
                self.tally.abuser_acks += 1
        elif REFUSED in message.text:
            self.tally.refused.add(key)
            if self.plan.abuser(self.uid):
                self.tally.abuser_refusals += 1
            else:
                self.tally.legit_refusals += 1
        else:
            self.tally.wrong.append(f"{self.uid} comment: {message.text[:120]!r}")

    async def act(self) -> None:
        """One randomly chosen action."""
        assert self.article is not None
        article = self.article
        buttons = article.button_data()
        related = [b for b in buttons if b.startswith("ra:")]
        listing = next(b for b in buttons if b.startswith("cm:l:"))
        choices: list[tuple[int, Callable[[], Awaitable[object]]]] = [
            (2, lambda: self.say("help", "/help", "/settings")),
            (2, lambda: self.say("settings", "/settings", "Your settings")),
            (2, lambda: self.say("related", "/related", "You may also like", article.message_id)),
            (2, lambda: self.press("comments-button", article.message_id, listing, "omment")),
        ]
        if related:
            data = self.rng.choice(related)
            choices.append((1, lambda: self.press("related-button", article.message_id, data, "")))
        if self.comments < self.plan.comment_quota and not self.plan.abuser(self.uid):
            choices.append((3, lambda: self.comment(article.message_id)))
            choices.append((1, self.prompted_comment))
        weights = [w for w, _ in choices]
        action = self.rng.choices([a for _, a in choices], weights)[0]
        await action()

    async def prompted_comment(self) -> None:
        """Comment through the Comment button and its ForceReply prompt."""
        assert self.article is not None
        data = next(b for b in self.article.button_data() if b.startswith("cm:w:"))
        prompt = await self.press("comment-button", self.article.message_id, data, "write your")
        if prompt is not None:
            await self.comment(prompt.message_id)

    async def run(self, deadline: float) -> None:
        """Act until the deadline; abusers burst their comments first."""
        assert self.article is not None
        await asyncio.sleep(self.rng.uniform(0, self.plan.think[1]))
        if self.plan.abuser(self.uid):
            for _ in range(self.plan.burst):
                await self.comment(self.article.message_id)
        while time.monotonic() < deadline:
            await self.act()
            await asyncio.sleep(self.rng.uniform(*self.plan.think))


async def prepare(path: Path, plan: LoadPlan) -> None:
    """Readers subscribed, a few archive articles and one article published to everyone."""
    settings = from_env({"DATABASE_PATH": str(path), "ADMIN_IDS": str(ADMIN_ID)})
    db = await Database.open(path)
    try:
        storage = Storage.over(db)
        services = build_services(settings, storage, SystemClock(), NoTelegram())
        now = SystemClock().now()
        await services.subscriptions.subscribers.insert_many(
            [(u, "private", f"R{u}", "instant", 8, "UTC") for u in plan.user_ids], now
        )
        for days, title in enumerate(RELATED_TITLES, start=1):
            body = f"{title}. The harbour bridge repairs affect commuters and ferries alike."
            old = await storage.articles.create(
                NewArticle(
                    title=title, body=body, summary=body, published_at=now - timedelta(days=days)
                ),
                content_hash=hashlib.sha256(body.encode()).hexdigest(),
                status="archived",
                now=now,
            )
            await services.article_changed(old)
        body = f"{TITLE}. Commuters return to the harbour bridge after months of repairs."
        article = await storage.articles.create(
            NewArticle(title=TITLE, body=body, summary=body, url="https://x.test/bridge"),
            content_hash=hashlib.sha256(body.encode()).hexdigest(),
            status="draft",
            now=now,
        )
        await services.broadcast.publish(article.id, None)
        published = await storage.articles.get(article.id)
        assert published is not None
        await services.article_changed(published)
    finally:
        await db.close()


@dataclass(frozen=True)
class LoadReport:
    """Figures and evidence from one load run."""

    plan: LoadPlan
    tally: Tally
    updates: int
    stored: set[tuple[int, int]]
    exit_code: int
    log_tail: str


def _stored_comments(db_path: Path, plan: LoadPlan) -> set[tuple[int, int]]:
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT chat_id, message_id FROM comments WHERE user_id BETWEEN ? AND ?",
            (plan.user_ids[0], plan.user_ids[-1]),
        ).fetchall()
    return {(int(c), int(m)) for c, m in rows}


async def run_load(fake: FakeBotAPI, plan: LoadPlan, workdir: Path) -> LoadReport:
    """Start the bot, deliver the article to everyone, then let every reader loose."""
    db_path, log = workdir / "load.db", workdir / "load.log"
    await prepare(db_path, plan)
    readers = []
    watcher, tally = Watcher(fake), Tally()
    for uid in plan.user_ids:
        fake.add_user(uid, f"R{uid}")
        readers.append(Reader(fake, watcher, uid, plan, tally))
    bot = await spawn_bot(fake, db_path, log)
    dispatcher = asyncio.create_task(watcher.run())
    try:
        for reader in readers:
            reader.article = await watcher.next_message(reader.uid, 60)
            assert TITLE in reader.article.text
        first_update = len(fake.queued_at)
        deadline = time.monotonic() + plan.seconds
        await asyncio.gather(*(r.run(deadline) for r in readers))
        updates = len(fake.queued_at) - first_update
    finally:
        dispatcher.cancel()
        code = await stop_bot(bot)
    return LoadReport(
        plan, tally, updates, _stored_comments(db_path, plan), code, log.read_text()[-3000:]
    )


def problems(report: LoadReport) -> list[str]:
    """Every broken promise, in words (empty when the run passed)."""
    t, plan = report.tally, report.plan
    abusers = sum(1 for u in plan.user_ids if plan.abuser(u))
    found = []
    if t.unanswered:
        found.append(f"{len(t.unanswered)} updates unanswered: {t.unanswered[:5]}")
    if t.wrong:
        found.append(f"{len(t.wrong)} wrong answers: {t.wrong[:5]}")
    if report.stored != t.acked:
        lost, extra = t.acked - report.stored, report.stored - t.acked
        found.append(
            f"comments acknowledged but not stored {sorted(lost)[:5]}, "
            f"stored but not acknowledged {sorted(extra)[:5]}"
        )
    if t.legit_refusals:
        found.append(f"{t.legit_refusals} comments refused to readers under the rate limit")
    over = plan.burst - RATE_LIMIT
    if (t.abuser_acks, t.abuser_refusals) != (abusers * RATE_LIMIT, abusers * over):
        found.append(
            f"abusers: {t.abuser_acks} stored / {t.abuser_refusals} refused, "
            f"expected {abusers * RATE_LIMIT} / {abusers * over}"
        )
    if report.exit_code != 0:
        found.append(f"bot exited with {report.exit_code} on SIGTERM")
    return found


def summary(report: LoadReport) -> str:
    """p50/p95 latency overall and per kind, and the comment figures."""
    t = report.tally
    every = t.all_latencies()
    lines = [
        f"{report.plan.users} readers for {report.plan.seconds:.0f} s: {report.updates} updates"
        f" ({report.updates / report.plan.seconds:.0f}/s), {len(every)} answers timed",
        f"latency p50 {percentile(every, 50) * 1000:.0f} ms, p95 "
        f"{percentile(every, 95) * 1000:.0f} ms, max {max(every) * 1000:.0f} ms",
    ]
    for kind, values in sorted(t.latencies.items()):
        lines.append(
            f"  {kind:<24} n={len(values):<5} p50 {percentile(values, 50) * 1000:5.0f} ms"
            f"  p95 {percentile(values, 95) * 1000:5.0f} ms"
        )
    lines.append(
        f"comments acknowledged {len(t.acked)}, stored {len(report.stored)}, refused by the "
        f"rate limit {len(t.refused)} (abusers {t.abuser_refusals}, others {t.legit_refusals})"
    )
    return "\n".join(lines)


async def test_every_update_answered_and_no_comment_lost(fake: FakeBotAPI, tmp_path: Path) -> None:
    report = await run_load(fake, LoadPlan(), tmp_path)
    print("\n" + summary(report))
    assert problems(report) == [], summary(report) + "\n" + report.log_tail
    kinds = report.tally.latencies
    for kind in ("help", "settings", "related", "comment", "comments-button", "comment-button"):
        assert kinds.get(kind), f"no {kind} in the mix: the run proves nothing about it"
    assert report.tally.refused, "the rate limit was never reached"
    fake.assert_no_errors()
