"""Scenarios and dataset parts, and whether this checkout can run them yet.

A requirement is a string: `"manufacturing.models:BOM"` (the model exists *and* its table is in
the migrated bench database) or `"command:import_boms"` (the management command exists).
Anything whose requirements are not met is left out of the run and listed as skipped with the
reason, so the harness runs on today's checkout and picks a scenario up when its app lands.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.context import Context


@dataclass(frozen=True)
class Part:
    """A piece of the dataset, built once per run (and timed) before any scenario needs it."""

    name: str
    build: "Callable[[Context], Any]"
    requires: tuple[str, ...] = ()
    after: tuple[str, ...] = ()  # parts this one builds on


@dataclass(frozen=True)
class Scenario:
    """A measured thing. `run(ctx)` does the in-process part (through ctx.measure_get /
    ctx.measure / ctx.run_command, which record figures); `http(ctx)`, when given, is the path
    loaded under gunicorn, named like the scenario."""

    name: str
    run: "Callable[[Context], None]"
    http: "Callable[[Context], str] | None" = None
    needs: tuple[str, ...] = ()  # dataset parts
    requires: tuple[str, ...] = ()
    mutates: bool = False  # changes the dataset: runs after the HTTP phase
    description: str = ""


PARTS: dict[str, Part] = {}
SCENARIOS: dict[str, Scenario] = {}


def register_part(part: Part) -> Part:
    PARTS[part.name] = part
    return part


def scenario(
    name: str,
    *,
    needs: tuple[str, ...] = (),
    requires: tuple[str, ...] = (),
    http: "Callable[[Context], str] | None" = None,
    mutates: bool = False,
    description: str = "",
):
    """Register `fn(ctx: Context) -> None` as a scenario."""

    def register(fn):
        SCENARIOS[name] = Scenario(
            name, fn, http, needs, requires, mutates, description or (fn.__doc__ or "").strip()
        )
        return fn

    return register


def endpoint(
    name: str,
    *,
    needs: tuple[str, ...] = (),
    requires: tuple[str, ...] = (),
    http: bool = True,
    expect: int = 200,
    description: str = "",
):
    """Register `fn(ctx: Context) -> str` (a GET path) as a scenario timed in-process and, with
    `http=True`, loaded over HTTP too."""

    def register(fn):
        def run(ctx: "Context") -> None:
            ctx.measure_get(name, fn(ctx), expect=expect)

        SCENARIOS[name] = Scenario(
            name,
            run,
            fn if http else None,
            needs,
            requires,
            False,
            description or (fn.__doc__ or "").strip(),
        )
        return fn

    return register


def missing(requirement: str) -> str | None:
    """Why `requirement` is not met in this checkout and bench database, or None."""
    kind, _, name = requirement.partition(":")
    if kind == "command":
        from django.core.management import get_commands

        return None if name in get_commands() else f"no manage.py {name} command yet"
    try:
        module = importlib.import_module(kind)
    except ImportError:
        return f"needs {kind} (not importable)"
    model = getattr(module, name, None)
    if model is None:
        return f"needs {kind}.{name}"
    meta = getattr(model, "_meta", None)
    if meta is not None:
        from django.db import connection

        if meta.db_table not in connection.introspection.table_names():
            return f"{kind}.{name} has no migrated table yet"
    return None


def unavailable(requires: tuple[str, ...], needs: tuple[str, ...]) -> str | None:
    """The first reason a scenario or part cannot run, following the parts it builds on."""
    for requirement in requires:
        if reason := missing(requirement):
            return reason
    for part_name in needs:
        part = PARTS.get(part_name)
        if part is None:
            return f"unknown dataset part {part_name!r}"
        if reason := unavailable(part.requires, part.after):
            return reason
    return None
