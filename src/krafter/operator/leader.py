"""Leader election through a coordination.k8s.io Lease, so two operator replicas never both act.

kopf's peering pauses operators by priority but is no lock. This is the standard Lease
protocol: the holder renews `renewTime` every `renew_seconds`; anyone may take the Lease once
it is older than `lease_seconds`. The API server's optimistic concurrency (resourceVersion)
makes taking it atomic: of two replicas racing, one update fails with 409.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from lightkube import Client
from lightkube.core.exceptions import ApiError
from lightkube.models.coordination_v1 import LeaseSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.coordination_v1 import Lease

log = logging.getLogger("krafter.leader")


class LeaderElector:
    def __init__(
        self,
        client: Client,
        *,
        namespace: str,
        name: str = "krafter-operator",
        identity: str,
        lease_seconds: int = 15,
        renew_seconds: float = 5.0,
        on_elected: Callable[[], None] | None = None,
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.lease_seconds = lease_seconds
        self.renew_seconds = renew_seconds
        self.on_elected = on_elected
        self._leader = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_leader(self) -> bool:
        return self._leader.is_set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="leader-election", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.is_leader:
            self._release()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                holds = self.try_acquire_or_renew()
            except Exception as exc:  # API hiccups must not kill the elector; losing renewal = losing the lease
                log.warning("lease %s/%s: %s", self.namespace, self.name, exc)
                holds = False
            was_leader = self.is_leader
            if holds and not was_leader:
                log.info("became leader (lease %s/%s, identity %s)", self.namespace, self.name, self.identity)
                self._leader.set()
                if self.on_elected is not None:
                    self.on_elected()
            elif not holds and was_leader:
                log.warning("lost leadership (lease %s/%s)", self.namespace, self.name)
                self._leader.clear()
            self._stop.wait(self.renew_seconds)

    def try_acquire_or_renew(self, now: datetime | None = None) -> bool:
        now = now or datetime.now(UTC)
        try:
            lease = self.client.get(Lease, self.name, namespace=self.namespace)
        except ApiError as exc:
            if exc.status.code != 404:
                raise
            return self._create(now)
        spec = lease.spec or LeaseSpec()
        holder = spec.holderIdentity
        renewed = spec.renewTime or spec.acquireTime
        duration = spec.leaseDurationSeconds or self.lease_seconds
        expired = renewed is None or now - renewed > timedelta(seconds=duration)
        if holder not in (None, "", self.identity) and not expired:
            return False
        if holder != self.identity:
            spec.acquireTime = now
            spec.leaseTransitions = (spec.leaseTransitions or 0) + 1
        spec.holderIdentity = self.identity
        spec.renewTime = now
        spec.leaseDurationSeconds = self.lease_seconds
        lease.spec = spec
        try:
            self.client.replace(lease)  # carries resourceVersion: a concurrent taker gets 409
        except ApiError as exc:
            if exc.status.code == 409:
                return False
            raise
        return True

    def _create(self, now: datetime) -> bool:
        lease = Lease(
            metadata=ObjectMeta(name=self.name, namespace=self.namespace),
            spec=LeaseSpec(
                holderIdentity=self.identity,
                acquireTime=now,
                renewTime=now,
                leaseDurationSeconds=self.lease_seconds,
                leaseTransitions=0,
            ),
        )
        try:
            self.client.create(lease)
        except ApiError as exc:
            if exc.status.code == 409:
                return False
            raise
        return True

    def _release(self) -> None:
        """Hand over at once on a clean shutdown instead of making the next leader wait."""
        try:
            lease = self.client.get(Lease, self.name, namespace=self.namespace)
            if lease.spec is not None and lease.spec.holderIdentity == self.identity:
                lease.spec.holderIdentity = ""
                lease.spec.renewTime = None
                self.client.replace(lease)
        except ApiError as exc:
            log.warning("releasing lease %s/%s: %s", self.namespace, self.name, exc)
        self._leader.clear()
