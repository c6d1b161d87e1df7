"""What a scenario gets: the profile, an authenticated client, the dataset, and recorders."""

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from bench.database import PROJECT_DIR
from bench.procs import CommandResult, run_measured
from bench.profiles import Profile
from bench.results import Results
from bench.timing import Timing, count_queries, measure, measure_pair

BENCH_USERNAME = "bench"
MIN_RUNS = 20  # a median and p95 of fewer timed runs say little


class ScenarioFailed(Exception):
    """A measured call did not do what it should (wrong status): its figures would be lies."""


def bench_token() -> str:
    """A superuser and its API token: every request authenticates with a real bearer token.
    (A superuser skips the permission queries a role-based user would add: 2 per request.)"""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    User = get_user_model()
    user = User.objects.filter(username=BENCH_USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(BENCH_USERNAME, f"{BENCH_USERNAME}@example.com", None)
    token, _ = Token.objects.get_or_create(user=user)
    return token.key


def expect_status(expected: int | Sequence[int]) -> Callable[[Any], None]:
    allowed = (expected,) if isinstance(expected, int) else tuple(expected)

    def check(response) -> None:
        if response.status_code not in allowed:
            body = getattr(response, "content", b"")[:300].decode("utf-8", "replace")
            raise ScenarioFailed(
                f"{response.request.get('REQUEST_METHOD', '?')} {response.request.get('PATH_INFO', '?')} "
                f"answered {response.status_code}, expected {allowed}: {body}"
            )

    return check


@dataclass
class Context:
    profile: Profile
    results: Results
    env: dict[str, str]  # the bench's production settings, for subprocesses
    token: str
    data: dict[str, Any] = field(default_factory=dict)  # dataset parts by name
    client: Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {self.token}"})

    def record(self, key: str, value: float | None) -> None:
        self.results.record(key, value)

    def measure(
        self,
        name: str,
        call: Callable[[], Any],
        *,
        check: Callable[[Any], None] | None = None,
        runs: int | None = None,
        warmup: int | None = None,
        queries: bool = True,
        memory: bool = True,
    ) -> Timing:
        """Time `call` and record it as `name` (table row, and `<name>.median_ms`, `.p95_ms`,
        `.queries`, `.mem_peak_kb`, `.mem_peak_mb` for targets)."""
        timing = measure(
            call,
            warmup=self.profile.warmup if warmup is None else warmup,
            runs=max(runs or self.profile.runs, MIN_RUNS),
            check=check,
            queries=queries,
            memory=memory,
        )
        self.results.inprocess[name] = timing.as_dict()
        self.results.record_many(name, timing.figures())
        return timing

    def measure_against(
        self,
        name: str,
        call: Callable[[], Any],
        floor_name: str,
        floor: Callable[[], Any],
        *,
        check: Callable[[Any], None] | None = None,
    ) -> tuple[Timing, Timing]:
        """`call` and its `floor` timed in alternation (`bench.timing.measure_pair`), recorded as
        `name` and `floor_name`, with `name.ratio_to_sql` (median over median)."""
        timings = measure_pair(
            call,
            floor,
            warmup=self.profile.warmup,
            runs=max(self.profile.runs, MIN_RUNS),
            check=check,
        )
        for recorded, timing in zip((name, floor_name), timings, strict=True):
            self.results.inprocess[recorded] = timing.as_dict()
            self.results.record_many(recorded, timing.figures())
        self.record(f"{name}.ratio_to_sql", round(timings[0].median_ms / timings[1].median_ms, 2))
        return timings

    def measure_get(self, name: str, path: str, *, expect: int = 200) -> Timing:
        return self.measure(name, lambda: self.client.get(path), check=expect_status(expect))

    def count_queries(
        self, call: Callable[[], Any], *, check: Callable[[Any], None] | None = None
    ) -> int:
        n, result = count_queries(call)
        if check:
            check(result)
        return n

    def run_command(
        self, name: str, args: Sequence[str], *, timeout_s: float | None = None
    ) -> CommandResult:
        """`manage.py <args>` in a subprocess on the bench database, recorded as `name`
        (`<name>.wall_s`, `.peak_rss_mb`); a failure is recorded as an error, not as figures."""
        result = run_measured(
            [sys.executable, "manage.py", *args],
            env={**os.environ, **self.env},
            cwd=PROJECT_DIR,
            timeout_s=timeout_s or self.profile.command_timeout_s,
        )
        self.results.commands[name] = result.as_dict()
        if result.ok:
            self.record(f"{name}.wall_s", result.wall_s)
            self.record(f"{name}.peak_rss_mb", result.peak_rss_mb)
        else:
            reason = "timed out" if result.timed_out else f"exit {result.returncode}"
            self.results.error(name, f"{reason}: {result.stderr_tail[-500:]}")
        return result
