"""SnapStart: what must hold when Lambda restores many environments from one snapshot of an initialised one.

Lambda (SnapStart on published versions) runs a function's init once, snapshots the process, and restores
that snapshot for each new environment. Whatever init made is then shared by every restored copy:

- randomness: `random`'s state would repeat in every copy, so it is re-seeded after each restore (uuid4,
  `secrets` and X-Ray ids read os.urandom, which the kernel re-seeds itself);
- connections and credentials: priming (http/priming.py) sends nothing over the network, so no socket is open
  in the snapshot; the clients' credentials are botocore's refreshable ones (SnapStart serves them from the
  container endpoint) and are fetched again once expired; secrets are read on first use, never at init;
- the cold-start metric: Powertools would count each restore's first invoke as a `ColdStart`; after a restore
  it counts `Restore` instead, so `ColdStart` stays the full inits.

The hooks run from the Python runtime's `snapshot_restore_py.register_after_restore` on Lambda. Elsewhere
(tests, the local stack, bench/snapstart.py's fork model) that module does not exist and `restored()` is what
calls them: the documented equivalent of the runtime's hook.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable

INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
# Init that runs ahead of the invokes it serves: a SnapStart snapshot, or provisioned concurrency.
AHEAD_OF_TIME = frozenset({"snap-start", "provisioned-concurrency"})
RESTORE_METRIC = "Restore"

_hooks: list[Callable[[], None]] = []


def ahead_of_time() -> bool:
    """Whether this init runs before any request waits on it (worth priming: the first invoke gets it for free)."""
    return os.environ.get(INITIALIZATION_TYPE, "") in AHEAD_OF_TIME


def after_restore[F: Callable[[], None]](hook: F) -> F:
    """Run `hook` after every restore from a snapshot (in registration order)."""
    _hooks.append(hook)
    return hook


def restored() -> None:
    """Run the after-restore hooks: the runtime calls this on Lambda, the local fork model by hand."""
    for hook in list(_hooks):
        hook()


@after_restore
def _reseed() -> None:
    random.seed()


@after_restore
def _count_restore_not_cold_start() -> None:
    from aws_lambda_powertools.metrics import MetricUnit, single_metric
    from aws_lambda_powertools.metrics.provider import cold_start
    from aws_lambda_powertools.tracing import tracer

    from achievements.core.observability import METRICS_NAMESPACE

    cold_start.is_cold_start = False
    tracer.is_cold_start = False
    with single_metric(name=RESTORE_METRIC, unit=MetricUnit.Count, value=1, namespace=METRICS_NAMESPACE) as metric:
        metric.add_dimension(name="function_name", value=os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local"))
        service = os.environ.get("POWERTOOLS_SERVICE_NAME")
        if service:
            metric.add_dimension(name="service", value=service)


def _install_runtime_hook() -> bool:
    try:
        from snapshot_restore_py import register_after_restore  # type: ignore[import-not-found]
    except ImportError:  # not on Lambda's Python runtime (or an older one): restored() is called by hand
        return False
    register_after_restore(restored)
    return True


RUNTIME_HOOK = _install_runtime_hook()
