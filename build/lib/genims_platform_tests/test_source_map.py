"""docs/source_map.md says what the declarations say."""

from __future__ import annotations

from genims_platform.demo import PROJECT_ROOT
from genims_platform.lib.lineage import all_specs, readers, source_map_markdown


def test_the_committed_source_map_is_current():
    committed = (PROJECT_ROOT / "docs" / "source_map.md").read_text(encoding="utf-8")
    assert committed == source_map_markdown(all_specs()), (
        "docs/source_map.md is out of date: run `.venv/bin/genims docs source-map`"
    )


def test_every_table_read_is_in_the_contract_and_every_reporting_table_reads_something():
    specs = all_specs()
    read = readers(specs)
    assert ("erp", "sales_orders") in read
    reporting = [s for s in specs if s.target == "reporting"]
    assert len(reporting) == 35
    assert all(any(db != s.target for db, _ in s.reads) for s in reporting)
