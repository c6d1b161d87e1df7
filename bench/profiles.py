"""Run sizes: the full profile follows issue 7; `--quick` is the same run, smaller and shorter."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    # Dataset
    components: int
    assemblies: int
    boms: int
    bom_lines: tuple[int, int]  # min, max lines of the generated BOMs
    detail_lines: int  # the BOM measured by "BOM detail"
    deep_sizes: tuple[int, ...]  # distinct nodes of the separate deep structures
    deep_depth: int
    standard_deep_size: int  # the structure used for the HTTP explosion figure
    import_sizes: tuple[int, ...]  # lines of the import_boms runs
    order_components: tuple[int, ...]  # BOM sizes of the production-order lifecycle
    warehouses: int
    # In-process
    warmup: int
    runs: int
    # HTTP
    http_seconds: float
    http_warmup_seconds: float
    http_concurrency: tuple[int, ...]
    http_max_requests: int
    http_workers: int
    command_timeout_s: float


FULL = Profile(
    name="full",
    components=1800,
    assemblies=200,
    boms=200,
    bom_lines=(20, 50),
    detail_lines=36,
    deep_sizes=(100, 1000, 10_000),
    deep_depth=5,
    standard_deep_size=1000,
    import_sizes=(10_000, 100_000),
    order_components=(5, 50),
    warehouses=2,
    warmup=5,
    runs=30,
    http_seconds=15,
    http_warmup_seconds=1.0,
    http_concurrency=(1, 8),
    http_max_requests=200_000,
    http_workers=2,
    command_timeout_s=240,
)

QUICK = Profile(
    name="quick",
    components=450,
    assemblies=50,
    boms=50,
    bom_lines=(20, 50),
    detail_lines=36,
    deep_sizes=(100, 1000, 10_000),
    deep_depth=5,
    standard_deep_size=1000,
    import_sizes=(2_000, 20_000),
    order_components=(5, 50),
    warehouses=2,
    warmup=2,
    runs=20,
    http_seconds=5,
    http_warmup_seconds=0.5,
    http_concurrency=(1, 8),
    http_max_requests=50_000,
    http_workers=2,
    command_timeout_s=120,
)
