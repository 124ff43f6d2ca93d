"""The command lines' shared parts: bad usage is one line and exit status 2, like any bad input."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import NoReturn

from nnreel.errors import UserError, quoted


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2, like any bad input."""

    def error(self, message: str) -> NoReturn:
        raise UserError(message)


def at_least(least: int) -> Callable[[str], int]:
    """An argparse type: an integer >= `least`."""

    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < least:
            raise argparse.ArgumentTypeError(f"expected an integer >= {least}, got {text!r}")
        return int(text)

    return parse


positive = at_least(1)


def options(top: argparse.ArgumentParser) -> set[str]:
    """Every option string of `top` and of its verbs, theirs, and so on."""
    verbs = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    found = set(top._option_string_actions)
    for parser in (p for v in verbs for p in v.choices.values()):
        found |= options(parser)
    return found


def check_dashes(argv: Sequence[str], known: set[str]) -> None:
    """A word that starts with '-' but is no option, named as such; argparse would complain
    about some other argument instead."""
    for word in argv:
        if word == "--":
            return
        option = word.split("=", 1)[0]
        if word.startswith("-") and not word[1:].isdigit() and {option, word[:2]}.isdisjoint(known):
            raise UserError(
                f"{quoted(word)}: no such option (a name starts with a letter or a digit)"
            )
