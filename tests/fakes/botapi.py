"""A strict fake Telegram Bot API server for tests and benchmarks.

Run standalone with ``python -m tests.fakes.botapi --port N [--rate-limit] [--round-trip S]``;
it prints ``READY <port>`` once listening and serves until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import time
from contextvars import ContextVar
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakes.botapi_http import json_response, maybe_int, read_params
from tests.fakes.botapi_methods import BotApiMethods, UploadedFiles
from tests.fakes.botapi_models import (
    ApiError,
    FaultRecord,
    HoldHandle,
    Params,
    Rejection,
    RequestRecord,
    SentMessage,
    param_bool,
)
from tests.fakes.botapi_traffic import (
    RATE_LIMITED_METHODS,
    FaultDecision,
    FaultPlan,
    ForcedFault,
    Latency,
    RandomFaults,
    RateLimiter,
)

DEFAULT_TOKEN = "123456:TEST-TOKEN"
# When the call being handled reached "Telegram": its receipt plus half its round trip. The
# flood limits count this time, not when the fake's sleep happens to wake up (on a busy
# machine several calls can wake together; the network would not have bunched them).
_ARRIVAL: ContextVar[float | None] = ContextVar("arrival", default=None)
_DEFAULT_DESCRIPTIONS = {500: "Internal Server Error", 502: "Bad Gateway", 504: "Gateway Timeout"}
_UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}
_MAX_REJECTIONS_UNRECORDED = 1000  # bound memory when benchmarks turn recording off
_CONTROL_ACTIONS = frozenset(
    {
        "add_user",
        "add_group",
        "send_text",
        "block",
        "unblock",
        "press_button",
        "set_rate_limit",
        "set_latency",
        "stats",
    }
)


class FakeBotAPI(BotApiMethods):
    """aiohttp server speaking the Bot API; also the tests' handle on the simulated users."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: bool = False,
        global_rate: int = 30,
        record_requests: bool = True,
        auto_create_users: bool = False,
        fault_hold_seconds: float = 30.0,
        round_trip: float = 0.0,
        jitter: float = 0.0,
        chat_burst: int = 3,
    ) -> None:
        super().__init__(
            token, record_requests=record_requests, auto_create_users=auto_create_users
        )
        self.host = host
        self.port = port
        self.rate_limit = rate_limit  # may be toggled at any time
        self.limiter = RateLimiter(global_rate=global_rate, private_burst=chat_burst)
        self.latency = Latency(round_trip, jitter)
        self.fault_plan = FaultPlan()
        self.fault_hold_seconds = fault_hold_seconds
        self._holds: dict[str, list[HoldHandle]] = {}
        self._runner: web.AppRunner | None = None
        self.internal_errors: list[Exception] = []

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        """Start listening (on a random port unless one was given)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_post("/_fake/{action}", self._control)
        # handler_cancellation: a client that hangs up (bot killed) cancels its long poll.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Release held calls, end long polls and close the server."""
        self.stopping.set()
        for handles in self._holds.values():
            for handle in handles:
                handle.release()
        self.notify_updates()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """PTB's ``base_url``: requests go to ``{base_url}{token}/{method}``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB's ``base_file_url``."""
        return f"http://{self.host}:{self.port}/file/bot"

    # -- fault injection and rate limiting ------------------------------------------------

    def set_rate_limit(self, enabled: bool, global_rate: int | None = None) -> None:
        """Toggle Telegram's flood limits (see RateLimiter for the exact rules)."""
        self.rate_limit = enabled
        if global_rate is not None:
            self.limiter.global_rate = global_rate

    def set_latency(
        self,
        round_trip: float = 0.0,
        jitter: float = 0.0,
        per_method: dict[str, float] | None = None,
    ) -> None:
        """Answer every call a network round trip late (see Latency); zero turns it off."""
        self.latency.round_trip = round_trip
        self.latency.jitter = jitter
        self.latency.per_method = {k.lower(): v for k, v in (per_method or {}).items()}

    def fail_next(
        self,
        method: str,
        status: int = 500,
        *,
        description: str | None = None,
        retry_after: int | None = None,
        count: int = 1,
        chat_id: int | None = None,
        kind: str = "error",
        deliver: bool = False,
    ) -> None:
        """Force the next ``count`` calls of ``method`` to fail.

        ``kind`` "timeout" holds the call past the client's timeout, "drop" closes the
        connection; ``deliver`` makes the call take effect before failing.
        """
        if status == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (
                f"Too Many Requests: retry after {retry_after}"
                if status == 429
                else _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
            )
        self.fault_plan.queued.append(
            ForcedFault(
                method.lower(), status, description, retry_after, count, chat_id, kind, deliver
            )
        )

    def set_random_faults(
        self,
        *,
        p_429: float = 0.0,
        p_500: float = 0.0,
        p_502: float = 0.0,
        p_timeout: float = 0.0,
        p_drop: float = 0.0,
        retry_after: tuple[int, int] = (1, 3),
        seed: int | None = None,
        deliver_before_fault: float = 0.5,
        methods: list[str] | None = None,
    ) -> None:
        """Random failures for soak tests; all zero turns them off."""
        self.fault_plan.random = RandomFaults(
            p_429,
            p_500,
            p_502,
            p_timeout,
            p_drop,
            retry_after,
            deliver_before_fault,
            None if methods is None else frozenset(m.lower() for m in methods),
        )
        if seed is not None:
            self.fault_plan.rng.seed(seed)

    def hold_next(self, method: str) -> HoldHandle:
        """The next ``method`` call takes effect, then waits for ``handle.release()``."""
        handle = HoldHandle(method)
        self._holds.setdefault(method.lower(), []).append(handle)
        return handle

    # -- HTTP -------------------------------------------------------------------------------

    def _record(self, method: str, params: Params, status: int, error: ApiError | None) -> None:
        if self.record_requests:
            at = _ARRIVAL.get() or time.monotonic()
            self.requests.append(RequestRecord(method, params, status, at))
        if error is None:
            self.stats.ok[method] += 1
            return
        self.stats.errors[method] += 1
        if status == 429:
            self.stats.too_many_requests += 1
        if self.record_requests or len(self.rejected) < _MAX_REJECTIONS_UNRECORDED:
            self.rejected.append(
                Rejection(method, status, error.description, params, error.injected)
            )
        self.notify()

    def _error(self, method: str, params: Params, error: ApiError) -> web.Response:
        self._record(method, params, error.code, error)
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.code,
            "description": error.description,
        }
        if error.parameters:
            body["parameters"] = error.parameters
        return json_response(error.code, body)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return json_response(401, _UNAUTHORIZED)
        method = request.match_info["method"]
        if method.lower() not in self.handlers:
            return json_response(404, _NOT_FOUND)
        try:
            params, files = await read_params(request)
        except (ValueError, ApiError):
            return self._error(method, {}, ApiError(400, "Bad Request: can't parse request"))
        trip = self.latency.sample(method)
        counted = method.lower() != "getupdates"  # a long poll is not a call in flight
        if counted:
            self.stats.call_started()
        try:
            arrival = time.monotonic() + trip / 2
            _ARRIVAL.set(arrival)
            if trip > 0:  # the way there; each call sleeps on its own, none waits for another
                await asyncio.sleep(max(0.0, arrival - time.monotonic()))
            response = await self._dispatch(request, method, params, files)
            if trip > 0:  # and the way back
                await asyncio.sleep(trip / 2)
            return response
        except Exception as exc:
            # A bug in the fake must fail the test loudly, not look like a network hiccup.
            self.internal_errors.append(exc)
            error = ApiError(500, f"fake Bot API internal error: {exc!r}")
            return self._error(method, params, error)
        finally:
            if counted:
                self.stats.call_ended()

    async def _dispatch(
        self, request: web.Request, method: str, params: Params, files: UploadedFiles
    ) -> web.StreamResponse:
        handler = self.handlers[method.lower()]
        chat_id = maybe_int(params.get("chat_id"))
        fault = self.fault_plan.pick(method.lower(), chat_id)
        if fault is not None:
            return await self._apply_fault(request, method, params, files, fault)
        if self.rate_limit and method.lower() in RATE_LIMITED_METHODS:
            chat = self.chats.get(chat_id) if chat_id is not None else None
            private = chat is None or chat.type == "private"
            paid = param_bool(params, "allow_paid_broadcast")
            if not self.limiter.allow(chat_id, private, paid=paid, now=_ARRIVAL.get()):
                self.stats.rate_limited += 1
                error = ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
                return self._error(method, params, error)
        try:
            result = await handler(params, files)
        except ApiError as exc:
            return self._error(method, params, exc)
        holds = self._holds.get(method.lower())
        if holds:
            handle = holds.pop(0)
            handle.message = self._message_of(result)
            handle.delivered.set()
            await handle.wait_released()
        self._record(method, params, 200, None)
        return json_response(200, {"ok": True, "result": result})

    def _message_of(self, result: Any) -> SentMessage | None:
        if isinstance(result, dict) and "message_id" in result and "chat" in result:
            return self.bot_message(result["chat"]["id"], result["message_id"])
        return None

    async def _apply_fault(
        self,
        request: web.Request,
        method: str,
        params: Params,
        files: UploadedFiles,
        fault: FaultDecision,
    ) -> web.StreamResponse:
        message = None
        delivered = False
        if fault.deliver:
            with contextlib.suppress(ApiError):  # an invalid call just fails without effect
                message = self._message_of(await self.handlers[method.lower()](params, files))
                delivered = True
        if message is not None:
            message.fault = fault.kind
        status = fault.status if fault.kind == "error" else None
        message_id = message.message_id if message else None
        chat_id = maybe_int(params.get("chat_id"))
        self.faults.append(FaultRecord(method, fault.kind, status, delivered, chat_id, message_id))
        self.stats.injected += 1
        extra = {"retry_after": fault.retry_after} if fault.retry_after else None
        if fault.kind == "error":
            error = ApiError(fault.status, fault.description, extra, injected=True)
            return self._error(method, params, error)
        # No HTTP status reaches the client: record the fault kind with code 0.
        self._record(method, params, 0, ApiError(0, fault.kind, injected=True))
        if fault.kind == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), self.fault_hold_seconds)
        if request.transport is not None:
            request.transport.abort()
        # The connection is gone, so nothing reaches the client; aiohttp needs a response.
        return web.Response(status=500)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return json_response(401, _UNAUTHORIZED)
        path = request.match_info["path"]
        for stored_path, data in self.files.values():
            if stored_path == path:
                return web.Response(body=data, content_type="application/octet-stream")
        return json_response(404, _NOT_FOUND)

    async def _control(self, request: web.Request) -> web.StreamResponse:
        """Drive the user side from another process (benchmarks)."""
        action = request.match_info["action"]
        if action not in _CONTROL_ACTIONS:
            return json_response(404, {"ok": False, "description": f"unknown action {action}"})
        kwargs = await request.json() if request.body_exists else {}
        if action == "stats":
            return json_response(200, {"ok": True, "result": self.stats.as_dict()})
        try:
            result = getattr(self, action)(**kwargs)
        except (KeyError, TypeError, ValueError, AssertionError) as exc:
            return json_response(400, {"ok": False, "description": repr(exc)})
        if hasattr(result, "to_dict"):
            result = result.to_dict()
        return json_response(200, {"ok": True, "result": True if result is None else result})


async def _serve(args: argparse.Namespace) -> None:
    fake = FakeBotAPI(
        token=args.token,
        host=args.host,
        port=args.port,
        rate_limit=args.rate_limit,
        record_requests=not args.no_record,
        auto_create_users=args.auto_users,
        round_trip=args.round_trip / 1000,
        jitter=args.jitter / 1000,
        chat_burst=args.chat_burst,
    )
    await fake.start()
    print(f"READY {fake.port}", flush=True)  # the parent process waits for this line
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    try:
        await done.wait()
    finally:
        await fake.stop()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--rate-limit", action="store_true")
    parser.add_argument("--no-record", action="store_true", help="keep only counters")
    parser.add_argument("--auto-users", action="store_true", help="unknown positive chats exist")
    parser.add_argument("--round-trip", type=float, default=0.0, help="network delay, ms")
    parser.add_argument("--jitter", type=float, default=0.0, help="extra random delay, ms")
    parser.add_argument(
        "--chat-burst", type=int, default=3, help="messages a private chat may burst (1: strict)"
    )
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
