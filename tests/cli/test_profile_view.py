"""The readable profile table names a document's keys and a partially profiled column."""

from __future__ import annotations

from rich.console import Console

from dataready.cli.profile import profile_table_view


def _render(doc: dict[str, object]) -> str:
    console = Console(width=240, record=True)
    console.print(profile_table_view(doc, "t"))
    return console.export_text()


def test_keys_and_partial_columns_are_shown() -> None:
    doc = {
        "columns": [
            {
                "name": "payload",
                "type_family": "json",
                "key_presence": [{"key": "id", "count": 4, "fraction": 1.0},
                                 {"key": "odd", "count": 2, "fraction": 0.5}],
            },
            {
                "name": "m",
                "type_family": "decimal",
                "profile_status": "partial",
                "profile_errors": [
                    {"stage": "aggregate", "code": "QUERY_FAILED:42883", "message": "x"},
                    {"stage": "sample", "code": "SAMPLE_VALUE_UNREADABLE", "message": "y"},
                ],
            },
        ]
    }  # fmt: skip
    text = _render(doc)
    assert "keys id 100% odd 50%" in text
    assert "partial: QUERY_FAILED:42883, SAMPLE_VALUE_UNREADABLE" in text
