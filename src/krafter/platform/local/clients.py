"""Client settings for a local cluster's listeners, from what `krafter up` wrote to the state dir.

`krafter produce/consume` use these, and so can users' own scripts: the bootstrap address,
security protocol, the cluster CA file and a KafkaUser's credentials (the local equivalent of
the user's Secret) are all derived, never typed by hand.
"""

from __future__ import annotations

from typing import Any

from krafter.core.errors import KrafterError
from krafter.plan.model import AuthType, ClusterPlan, SecurityProtocol
from krafter.platform.local.state import ClusterState


def client_config(state: ClusterState, plan: ClusterPlan, listener: str, user: str | None = None) -> dict[str, Any]:
    """kafka-python keyword arguments for connecting to `listener` (as `user` where it authenticates)."""
    entry = next((item for item in plan.listeners if item.name == listener), None)
    if entry is None:
        known = ", ".join(item.name for item in plan.listeners)
        raise KrafterError(f"cluster {plan.name} has no listener '{listener}' (it has {known})")
    config: dict[str, Any] = {
        "bootstrap_servers": ",".join(str(e) for e in entry.bootstrap),
        "security_protocol": entry.protocol.value,
    }
    if entry.tls:
        config["ssl_cafile"] = str(state.ca_dir / "cluster" / "ca.crt")
    if entry.auth is AuthType.NONE:
        return config
    if user is None:
        raise KrafterError(f"listener '{listener}' needs {entry.auth.value} authentication: pass --user NAME")
    directory = state.user_dir(user)
    if not directory.is_dir():
        raise KrafterError(
            f"no credentials for user '{user}' in {directory}; add a KafkaUser named '{user}' to the files "
            "given to `krafter up` (with spec.entityOperator.userOperator set)"
        )
    if entry.auth is AuthType.SCRAM:
        password = directory / "password"
        if not password.exists():
            raise KrafterError(f"user '{user}' has no SCRAM password ({password}); is it a scram-sha-512 user?")
        config.update(
            sasl_mechanism="SCRAM-SHA-512",
            sasl_plain_username=user,
            sasl_plain_password=password.read_text().strip(),
        )
    elif entry.auth is AuthType.TLS:
        config.update(ssl_certfile=str(directory / "user.crt"), ssl_keyfile=str(directory / "user.key"))
    if entry.protocol in (SecurityProtocol.SSL, SecurityProtocol.SASL_SSL):
        config.setdefault("ssl_cafile", str(state.ca_dir / "cluster" / "ca.crt"))
    return config
