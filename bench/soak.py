"""``python -m bench.soak --seconds N``: the sync state machine with fresh seeds, for N seconds.

Runs ``tests/sync/machine.py`` (the model CI runs 500 derandomized examples
of) against one real backend on loopback, in batches of fresh random
examples, until the time is up.  Every violation prints its shrunk schedule
(the steps hypothesis reduced it to) and the error.  The last line is always
``examples: <n>, violations: <m>``; the exit status is 1 if any violation
was found.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.reporting import with_reporter
from hypothesis.stateful import run_state_machine_as_test

log = logging.getLogger("bench.soak")

#: Examples per hypothesis run: small, so the time limit is kept closely.
BATCH = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument("--seconds", type=float, required=True, help="how long to run")
    parser.add_argument("--steps", type=int, default=12, help="steps per example")
    args = parser.parse_args(argv)
    # The engine logs every injected fault it survives; only the verdict matters here.
    logging.basicConfig(level=logging.CRITICAL, stream=sys.stderr)

    from tests.sync.machine import Backend, SyncMachine

    examples = violations = 0
    with tempfile.TemporaryDirectory(prefix="crm-soak-") as tmp:
        backend = Backend(Path(tmp))
        SyncMachine.backend = backend
        deadline = time.monotonic() + args.seconds
        try:
            while time.monotonic() < deadline:
                SyncMachine.examples = 0
                report: list[object] = []
                try:
                    with with_reporter(report.append):
                        run_state_machine_as_test(
                            SyncMachine,
                            settings=settings(
                                max_examples=BATCH,
                                stateful_step_count=args.steps,
                                deadline=None,
                                database=None,
                                derandomize=False,
                                phases=[Phase.generate, Phase.shrink],
                                suppress_health_check=list(HealthCheck),
                                print_blob=False,
                            ),
                        )
                except Exception as exc:  # noqa: BLE001 - a violation: report it whole, carry on
                    violations += 1
                    sys.stdout.write(f"--- violation {violations} ---\n")
                    sys.stdout.write("\n".join(map(str, report)) + "\n")
                    # Several distinct failures come as a group: each one's schedule
                    # is in its own notes, so every one is printed, not the group's summary.
                    failures = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
                    for failure in failures:
                        sys.stdout.write("".join(traceback.format_exception_only(failure)))
                    sys.stdout.flush()
                examples += SyncMachine.examples
        finally:
            backend.close()
    sys.stdout.write(f"examples: {examples}, violations: {violations}\n")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
