"""The definitions load with placeholder settings, and importing them does nothing at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from genims_platform.catalog import SOURCE_DATABASES, TARGET_DATABASES

PLACEHOLDERS = {
    "PG_MASTER_HOST": "placeholder.invalid",
    "PG_MASTER_PORT": "5999",
    "PG_MASTER_USER": "placeholder",
    "PG_MASTER_PASSWORD": "placeholder-secret",
    "PG_REPLICA_HOST": "replica.invalid",
    "AZURE_STORAGE_CONNECTION_STRING": "AccountName=x;AccountKey=eA==",
    **{f"MYSQL_{t.upper()}_HOST": "mysql.invalid" for t in TARGET_DATABASES},
    **{f"MYSQL_{t.upper()}_PASSWORD": "placeholder-secret" for t in TARGET_DATABASES},
}

PROBE = textwrap.dedent(
    """
    import json, os, sys

    events = {"connect": [], "open": [], "env": []}

    def hook(event, args):
        if event == "socket.connect":
            events["connect"].append(str(args[1]))
        elif event == "open" and isinstance(args[0], str) and "/genims_platform" not in args[0] \\
                and ("/sql/" in args[0] or args[0].endswith(".env")):
            events["open"].append(args[0])

    class Watched(dict):
        def __getitem__(self, key):
            events["env"].append(key)
            return super().__getitem__(key)
        def get(self, key, default=None):
            events["env"].append(key)
            return super().get(key, default)

    real = os.environ
    os.environ = Watched(real)
    sys.addaudithook(hook)
    import genims_platform.definitions as module
    at_import = {k: list(v) for k, v in events.items()}
    at_import["env"] = [k for k in at_import["env"] if k.startswith(("PG_", "MYSQL_", "GENIMS",
                        "DAGSTER_PG", "AZURE", "ETL_", "DATA_SYNC", "BACKUP_"))]
    os.environ = real
    events["connect"].clear()
    definitions = module.defs()
    specs = list(definitions.resolve_all_asset_specs())
    print(json.dumps({
        "at_import": at_import,
        "connects_while_loading": events["connect"],
        "groups": sorted({s.group_name for s in specs}),
        "assets": len(specs),
    }))
    """
)


def test_import_does_nothing_and_load_needs_no_server():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG_", "MYSQL_"))}
    env.update(PLACEHOLDERS)
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["at_import"] == {"connect": [], "open": [], "env": []}
    assert report["connects_while_loading"] == []
    assert "genims_reporting_db" in report["groups"]
    assert any(group in report["groups"] for group in SOURCE_DATABASES.values())
    assert "placeholder-secret" not in out.stdout + out.stderr
