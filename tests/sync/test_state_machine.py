"""Proof under faults: hypothesis drives three offline clients against one real backend.

See ``tests/sync/machine.py`` for the model and its invariants.  The number
of examples comes from the hypothesis profile in ``HYPOTHESIS_PROFILE``:
``ci`` (the default: 500 examples, derandomized so CI is repeatable) or
``dev`` (50 examples, random); ``CRM_MACHINE_EXAMPLES`` overrides the count.
``python -m bench.soak --seconds N`` runs the same machine with fresh seeds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.sync.machine import Backend, SyncMachine

_COMMON = {
    "stateful_step_count": 10,
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
}
settings.register_profile("ci", max_examples=500, derandomize=True, **_COMMON)  # type: ignore[arg-type]
settings.register_profile("dev", max_examples=50, **_COMMON)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def machine_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    backend = Backend(Path(tmp_path_factory.mktemp("machine")))
    yield backend
    backend.close()


@pytest.mark.timeout(1800)
def test_replicas_converge_and_no_write_is_lost(machine_backend: Backend) -> None:
    profile = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
    examples = int(os.environ.get("CRM_MACHINE_EXAMPLES", profile.max_examples))
    SyncMachine.backend = machine_backend
    SyncMachine.examples = 0
    run_state_machine_as_test(SyncMachine, settings=settings(profile, max_examples=examples))
    assert SyncMachine.examples >= examples
