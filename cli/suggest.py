""""Did you mean": argparse's usage errors with a suggestion for a mistyped command or option.

    $ hvemu chekpoint list
    hvemu: error: argument COMMAND: invalid choice: 'chekpoint', maybe you meant 'checkpoint'? (choose from ...)
    $ hvemu vm list --stat ./hv
    hvemu vm list: error: unrecognized arguments: --stat ./hv (did you mean '--state'?)

The wording of the first follows Python 3.14's own `suggest_on_error`; the candidates are
`difflib.get_close_matches` over the parser's choices or option strings.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterable, Sequence
from typing import NoReturn

_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)'")
_UNRECOGNIZED = "unrecognized arguments: "


def close_match(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `word`, if one is near enough (difflib's 0.6 ratio)."""
    import difflib

    found = difflib.get_close_matches(word, list(candidates), n=1)
    return found[0] if found else None


def _choices(parser: argparse.ArgumentParser) -> list[str]:
    names: list[str] = []
    for action in parser._actions:
        if action.choices is not None and not action.option_strings:
            names.extend(str(c) for c in action.choices)
    return names


def _options(parser: argparse.ArgumentParser) -> list[str]:
    return [s for action in parser._actions for s in action.option_strings if s.startswith("--")]


def with_suggestion(parser: argparse.ArgumentParser, message: str) -> str:
    """`message` (an argparse error of `parser`) with a "did you mean" added where one fits."""
    invalid = _INVALID_CHOICE.search(message)
    if invalid is not None:
        guess = close_match(invalid.group(1), _choices(parser))
        if guess is not None:
            end = invalid.end()
            return f"{message[:end]}, maybe you meant '{guess}'?{message[end:]}"
        return message
    if message.startswith(_UNRECOGNIZED):
        guesses = _option_guesses(message[len(_UNRECOGNIZED):].split(), _options(parser))
        if guesses:
            return f"{message} (did you mean {' or '.join(guesses)}?)"
    return message


def _option_guesses(words: Sequence[str], options: Sequence[str]) -> list[str]:
    guesses = []
    for word in words:
        if word.startswith("-") and len(word) > 1:
            guess = close_match(word.split("=", 1)[0], options)
            if guess is not None:
                guesses.append(f"'{guess}'")
    return guesses


class SuggestingParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors suggest the command or option meant. Subparsers
    are made of the same class (argparse uses the parent's class)."""

    def error(self, message: str) -> NoReturn:
        """argparse's usage error (the usage, then `prog: error: message`, exit 2), with the
        suggestion, and the error line in the error colours on a colour terminal."""
        import sys

        from hyperv_emu.cli import colour

        self.print_usage(sys.stderr)
        line = f"{self.prog}: error: {with_suggestion(self, message)}"
        self.exit(2, colour.painter(sys.stderr, colour.ERROR)(line) + "\n")
