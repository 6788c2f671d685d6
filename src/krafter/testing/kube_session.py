"""What tests hold when they use the `kube` fixture: the control plane plus ready clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lightkube import Client, KubeConfig
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import Namespace

from krafter.testing.control_plane import ControlPlane


@dataclass
class KubeSession:
    plane: ControlPlane
    client: Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = Client(self.config(), field_manager="krafter-tests")

    def config(self) -> KubeConfig:
        return KubeConfig.from_dict(self.plane.kubeconfig())

    @property
    def kubeconfig_path(self) -> Path:
        return self.plane.kubeconfig_path

    def create_namespace(self, name: str) -> None:
        self.client.create(Namespace(metadata=ObjectMeta(name=name)))

    def delete_namespace(self, name: str) -> None:
        self.client.delete(Namespace, name)

    def close(self) -> None:
        self.client.close()
