"""The LALR tables: generated from grammar.lark, up to date, loaded once, no lark at run time."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hyperv_emu.psshim import parse_build, parse_tables, parser


def test_generated_tables_match_the_grammar() -> None:
    pytest.importorskip("lark")
    text = parse_build.grammar_text()
    assert parse_tables.GRAMMAR_SHA256 == parse_build.grammar_digest(text), "run python -m psshim.parse_build"
    assert parse_build.render_module(text, parse_build.build_tables(text)) == parse_build.TABLES_PATH.read_text(
        encoding="utf-8"
    ), "run python -m psshim.parse_build"


def test_stored_tables_decode_to_the_built_ones() -> None:
    pytest.importorskip("lark")
    tables = parse_build.build_tables(parse_build.grammar_text())
    assert parse_build.decode_tables(parse_build.encode_tables(tables)) == dict(tables, symbols=parse_build.encode_tables(tables)["symbols"])


def test_only_the_documented_conflicts() -> None:
    pytest.importorskip("lark")
    tables = parse_build.build_tables(parse_build.grammar_text())
    assert {tuple(c) for c in tables["conflicts"]} == parse_build.EXPECTED_CONFLICTS


def test_every_state_has_one_lexer_mode() -> None:
    tables = parser._tables()
    assert len(tables.modes) == tables.states.count
    for state in range(tables.states.count):
        row = tables.states[state]
        if tables.defaults[state] >= 0:
            continue
        accepted = {symbol for symbol in row if symbol.isupper()}
        assert not ({"CMD_NAME"} <= accepted and {"BAREWORD"} <= accepted), state
        assert tables.modes[state] == parse_build.state_mode(accepted)


def test_tables_are_loaded_once() -> None:
    parser.parse("Get-VM")
    before = parser._tables.cache_info()
    parser.parse("Get-VM | Select-Object Name")
    after = parser._tables.cache_info()
    assert after.misses == before.misses and after.hits > before.hits


def test_parsing_does_not_import_lark() -> None:
    code = "import sys, psshim.parser as p; p.parse('Get-VM -Name x | % { $_ }'); print('lark' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
