"""Importing this package registers every scenario (bench.registry.SCENARIOS).

A new scenario is a function in one of these modules (or a new module imported here):

    @endpoint("bom_list", needs=("boms",))            # a GET path: in-process and over HTTP
    def bom_list(ctx: Context) -> str: ...

    @scenario("explosion", needs=("deep",), http=...)  # anything else, recorded through ctx
    def explosion(ctx: Context) -> None: ...
"""

from bench.scenarios import change, imports, items, lots, manufacturing, planning  # noqa: F401
