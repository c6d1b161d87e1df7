"""Every GET of the API on the demo plant, byte for byte, against a recorded snapshot.

The snapshot (`golden/demo_responses.json`) pins the exact bytes each read answers, so that a
refactoring of how responses are built (serializers, fast read paths, renderers) can show that
nothing a client sees has changed. The walk is driven by `/api/schema`: every GET operation
without path parameters, then every one with an `{id}`, once per row its list returned.

What varies from run to run is replaced before comparing, in order of first appearance: ids
(UUIDv7, random bits) become `<id:N>`, timestamps and dates (the demo is relative to today)
`<datetime>` / `<date>`, the year in references `<year>`, content hashes (SHA-256 over ids)
`<sha256>`, an MRP run's measured `durationSeconds` `<seconds>`. Everything else — keys, key order, numbers as written, nulls, lists — must match.

A deliberate change of a response updates the snapshot:
`GOLDEN_UPDATE=1 .venv/bin/pytest tests/api/test_golden_responses.py`, and the diff of the
JSON file is reviewed with the change.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

GOLDEN = Path(__file__).parent / "golden" / "demo_responses.json"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
DATETIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
DATE_RE = re.compile(r"(?<![\d/-])\d{4}-\d\d-\d\d(?![\d:T])")
YEAR_RE = re.compile(r"(?<=MO/)\d{4}|(?<=LOT-)\d{4}")
HASH_RE = re.compile(r"\b[0-9a-f]{64}\b")
SECONDS_RE = re.compile(r'(?<="durationSeconds":)\d+(?:\.\d+)?')  # an MRP run's measured time
SKIP = {"/api/health"}  # no data; its body is pinned by tests/api/test_conventions.py


class Normalizer:
    def __init__(self):
        self.ids: dict[str, str] = {}

    def _id(self, match: re.Match) -> str:
        return self.ids.setdefault(match.group(0), f"<id:{len(self.ids) + 1}>")

    def __call__(self, text: str) -> str:
        text = HASH_RE.sub("<sha256>", text)
        text = SECONDS_RE.sub('"<seconds>"', text)
        text = UUID_RE.sub(self._id, text)
        text = DATETIME_RE.sub("<datetime>", text)
        text = DATE_RE.sub("<date>", text)
        return YEAR_RE.sub("<year>", text)


def _get_paths(schema: dict) -> tuple[list[str], dict[str, list[str]]]:
    lists, details = [], {}
    for path, operations in sorted(schema["paths"].items()):
        if "get" not in operations or path in SKIP or not path.startswith("/api/"):
            continue
        if "{" not in path:
            lists.append(path)
            continue
        parent = path.split("/{id}", 1)[0]
        details.setdefault(parent, []).append(path)
    return lists, details


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _walk(api) -> dict[str, str]:
    schema = api.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    lists, details = _get_paths(schema)
    normalize = Normalizer()
    seen: dict[str, str] = {}
    for path in lists:
        url = f"{path}?limit=200"
        response = api.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        seen[url] = normalize(response.content.decode())
        if "isActive" in str(schema["paths"][path]["get"].get("parameters", [])):
            archived = api.get(f"{path}?limit=200&isActive=false")
            assert archived.status_code == 200, (path, archived.content[:300])
            seen[f"{url}&isActive=false"] = normalize(archived.content.decode())
        rows = response.json().get("data", []) if path in details else []
        for row in rows:
            for template in details[path]:
                detail = template.replace("{id}", row["id"])
                if "levels" in str(schema["paths"][template]):
                    detail += "?levels=all"
                answer = api.get(detail)
                assert answer.status_code == 200, (detail, answer.content[:300])
                key = normalize(detail)
                seen[key] = normalize(answer.content.decode())
    return seen


def test_every_read_of_the_demo_plant_answers_the_recorded_bytes(api, demo):
    seen = _walk(api)

    if os.environ.get("GOLDEN_UPDATE"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(seen, indent=1, ensure_ascii=False) + "\n")
        pytest.skip(f"snapshot written: {len(seen)} responses")
    recorded = json.loads(GOLDEN.read_text())
    assert sorted(seen) == sorted(recorded)
    changed = [url for url in recorded if seen[url] != recorded[url]]
    assert not changed, {url: (recorded[url][:400], seen[url][:400]) for url in changed[:3]}
