"""Makes one of the queue statements that worker duties run raise, for tests/faults/test_worker_duties.py.

SLUICE_TEST_FAILING_STATEMENT names a function of `sluice.store.jobs` (`renew_leases`,
`find_expired_leases`); it raises while the file SLUICE_TEST_FAILING_WHILE exists. Only the tests
put this folder on a worker's PYTHONPATH: nothing a tenant sends can reach it.
"""

import os

NAME = os.environ.get("SLUICE_TEST_FAILING_STATEMENT")

if NAME:
    from sluice.store import jobs

    original = getattr(jobs, NAME)
    switch = os.environ["SLUICE_TEST_FAILING_WHILE"]

    def switched_on() -> bool:
        return os.path.exists(switch)

    async def failing(*args, **kwargs):
        if switched_on():
            raise RuntimeError(f"injected failure of {NAME}")
        return await original(*args, **kwargs)

    setattr(jobs, NAME, failing)
