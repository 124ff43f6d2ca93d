"""Pipeline stages: each module's main() loads its inputs, computes, and writes its outputs."""

from __future__ import annotations

import errno
import sys
from collections.abc import Callable

from nnreel.errors import UserError

FULL = (errno.ENOSPC, errno.EDQUOT)


def run_stage(name: str, main: Callable[[], None]) -> None:
    """Run a stage; errors a user can fix, a full disk and Ctrl-C become one line on stderr.

    Outputs are written beside their target and renamed into place, so a full disk leaves
    the old ones as they were."""
    try:
        main()
    except UserError as e:
        print(f"nnreel {name}: error: {e}", file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        if e.errno not in FULL:
            raise
        where = f" ({e.filename})" if e.filename else ""
        print(
            f"nnreel {name}: error: {str(e.strerror).lower()}{where}; free some space "
            "and run it again",
            file=sys.stderr,
        )
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"nnreel {name}: interrupted; no output was written", file=sys.stderr)
        sys.exit(130)
