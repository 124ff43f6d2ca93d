"""Errors a user can cause and fix: each is reported as one line with exit status 2."""

from __future__ import annotations


class UserError(ValueError):
    """Bad input from a user: a config value, a data file, a damaged artifact."""


class ConfigError(UserError):
    """A config key holds a value that is not allowed."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        super().__init__(f"{key} = {value!r}: {allowed}")


class DataError(UserError):
    """A data file or data value is unusable."""


class CheckpointError(UserError):
    """The checkpoints file is truncated or malformed."""


class StaleError(UserError):
    """An input was made from other params than params.yaml holds now."""

    def __init__(self, path: object, key: str, made: object, now: object) -> None:
        super().__init__(
            f"{path}: made with {key} = {made!r}, but params.yaml has {now!r}; "
            "bring it up to date with: dvc repro"
        )
