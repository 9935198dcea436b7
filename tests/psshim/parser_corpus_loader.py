"""The parser corpus (`parser_corpus/corpus.py`: scenario scripts, seed blocks, snippets) as one
module, for the parser's differential, fuzz and scenario tests. `parser_corpus` is a folder of
data, not a package, so the module is loaded from its path."""

from __future__ import annotations

import importlib.util
import pathlib
import types


def _load_corpus() -> types.ModuleType:
    path = pathlib.Path(__file__).parent / "parser_corpus" / "corpus.py"
    spec = importlib.util.spec_from_file_location("psshim_parser_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus()
