"""Errors a user can cause and fix: each is reported as one line with exit status 2."""

from __future__ import annotations

import reprlib

# An error quotes a value only this far: a list of a million numbers, or a YAML alias bomb
# whose full repr would never finish, still makes one short line.
_QUOTE = reprlib.Repr()
_QUOTE.maxlevel, _QUOTE.maxlist, _QUOTE.maxdict = 2, 8, 8
_QUOTE.maxstring = _QUOTE.maxother = _QUOTE.maxlong = 60
QUOTED = 100  # characters at most


def quoted(value: object) -> str:
    """repr(value), cut short where it is long or deep."""
    text = _QUOTE.repr(value)
    return text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"


class UserError(ValueError):
    """Bad input from a user: a config value, a data file, a damaged artifact."""


class ConfigError(UserError):
    """A config key holds a value that is not allowed."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        super().__init__(f"{key} = {quoted(value)}: {allowed}")


class DataError(UserError):
    """A data file or data value is unusable."""


class CheckpointError(UserError):
    """The checkpoints file is truncated or malformed."""


class StaleError(UserError):
    """An input was made from other params than params.yaml holds now."""

    def __init__(self, path: object, key: str, made: object, now: object) -> None:
        super().__init__(
            f"{path}: made with {key} = {quoted(made)}, but params.yaml has {quoted(now)}; "
            "bring it up to date with: dvc repro"
        )
