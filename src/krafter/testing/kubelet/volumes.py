"""A Pod's volumes as directories on this machine, the way the kubelet's volume plugins lay them out.

ConfigMap, Secret, projected (service-account token from the TokenRequest API, ConfigMap,
Secret, downward API), downwardAPI, emptyDir and persistentVolumeClaim are supported; any other
type is refused by name, so a Pod spec the process kubelet cannot honour fails loudly rather
than running with something missing. Files are replaced whole (written aside, then renamed), so
a process reading them while the kubelet refreshes them never sees half a file.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lightkube import ApiError, Client
from lightkube.models.authentication_v1 import BoundObjectReference, TokenRequestSpec
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret, ServiceAccount

from krafter.testing.kubelet import fieldpaths

Pod = dict[str, Any]
DEFAULT_MODE = 0o644
TOKEN_REFRESH_FRACTION = 0.8
"""The kubelet renews a projected token once 80 % of its lifetime has passed."""


class VolumeNotReady(Exception):
    """A referenced object is missing or not bound yet: the Pod waits (ContainerCreating)."""


class VolumeRefused(Exception):
    """The Pod asks for something the process kubelet does not run: it never starts."""


@dataclass
class PodVolumes:
    """Where each volume of one Pod lives, and when its tokens need renewing."""

    base: Path
    paths: dict[str, Path] = field(default_factory=dict)
    token_renew_at: float = float("inf")


def _write_files(directory: Path, files: dict[str, tuple[bytes, int]], *, group: int | None) -> None:
    """Make `directory` hold exactly `files` (relative path -> content, mode), unchanged ones untouched."""
    directory.mkdir(parents=True, exist_ok=True)
    for relative, (content, mode) in files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file() and target.read_bytes() == content and (target.stat().st_mode & 0o777) == mode:
            continue
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".kubelet-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(temporary, mode)
        if group is not None:
            os.chown(temporary, 0, group)
        os.replace(temporary, target)
    wanted = {directory / relative for relative in files}
    for existing in sorted(directory.rglob("*"), reverse=True):
        if existing.is_file() and existing not in wanted:
            existing.unlink()
        elif existing.is_dir() and not any(existing.iterdir()):
            existing.rmdir()


def _decoded(data: dict[str, str] | None, binary: dict[str, str] | None, *, base64_text: bool) -> dict[str, bytes]:
    found = {k: (base64.b64decode(v) if base64_text else v.encode()) for k, v in (data or {}).items()}
    found.update({k: base64.b64decode(v) for k, v in (binary or {}).items()})
    return found


def _keyed_files(
    source: dict[str, bytes], items: list[dict[str, Any]] | None, default_mode: int, *, what: str, optional: bool
) -> dict[str, tuple[bytes, int]]:
    if items is None:
        return {key: (value, default_mode) for key, value in source.items()}
    files = {}
    for item in items:
        key = item["key"]
        if key not in source:
            if optional:
                continue
            raise VolumeNotReady(f"{what} has no key {key}")
        files[item["path"]] = (source[key], item.get("mode", default_mode))
    return files


class VolumeBuilder:
    """Reads what the volumes reference from the API server and lays them out under `root`."""

    def __init__(self, client: Client, root: Path) -> None:
        self.client = client
        self.root = root

    def _get(self, kind: type, name: str, namespace: str, *, optional: bool, what: str) -> Any:
        try:
            return self.client.get(kind, name, namespace=namespace)
        except ApiError as exc:
            if exc.status.code == 404:
                if optional:
                    return None
                raise VolumeNotReady(f"{what} {namespace}/{name} not found") from exc
            raise

    def config_map_files(self, namespace: str, ref: dict[str, Any], default_mode: int) -> dict[str, tuple[bytes, int]]:
        name, optional = ref["name"], bool(ref.get("optional"))
        found = self._get(ConfigMap, name, namespace, optional=optional, what="ConfigMap")
        source = _decoded(found.data, found.binaryData, base64_text=False) if found else {}
        return _keyed_files(source, ref.get("items"), default_mode, what=f"ConfigMap {name}", optional=optional)

    def secret_files(self, namespace: str, ref: dict[str, Any], default_mode: int) -> dict[str, tuple[bytes, int]]:
        name = ref.get("secretName") or ref["name"]
        optional = bool(ref.get("optional"))
        found = self._get(Secret, name, namespace, optional=optional, what="Secret")
        source = _decoded(found.data, None, base64_text=True) if found else {}
        return _keyed_files(source, ref.get("items"), default_mode, what=f"Secret {name}", optional=optional)

    def downward_files(self, pod: Pod, items: list[dict[str, Any]], default_mode: int) -> dict[str, tuple[bytes, int]]:
        files = {}
        for item in items:
            if "fieldRef" in item:
                value = fieldpaths.field_value(pod, item["fieldRef"]["fieldPath"])
            else:
                value = fieldpaths.resource_value(pod, item["resourceFieldRef"])
            files[item["path"]] = (value.encode(), item.get("mode", default_mode))
        return files

    def token(self, pod: Pod, source: dict[str, Any]) -> tuple[bytes, float]:
        """A token bound to this Pod, as the kubelet asks for it; returns it and its lifetime."""
        metadata = pod["metadata"]
        request = ServiceAccount.Token(
            metadata=ObjectMeta(),
            spec=TokenRequestSpec(
                audiences=[source["audience"]] if source.get("audience") else [],
                expirationSeconds=source.get("expirationSeconds", 3600),
                boundObjectRef=BoundObjectReference(
                    kind="Pod", apiVersion="v1", name=metadata["name"], uid=metadata["uid"]
                ),
            ),
        )
        account = pod["spec"].get("serviceAccountName") or "default"
        answer = self.client.create(request, name=account, namespace=metadata["namespace"])
        issued = answer.to_dict()
        lifetime = float(issued["spec"].get("expirationSeconds") or 3600)
        return str(issued["status"]["token"]).encode(), lifetime

    def claim_path(self, namespace: str, claim: str) -> Path:
        found = self._get(PersistentVolumeClaim, claim, namespace, optional=False, what="PersistentVolumeClaim")
        volume_name = found.spec.volumeName if found.spec else None
        if not volume_name or (found.status and found.status.phase != "Bound"):
            raise VolumeNotReady(f"PersistentVolumeClaim {namespace}/{claim} is not bound yet")
        volume = self.client.get(PersistentVolume, volume_name)
        if volume.spec is None or volume.spec.hostPath is None:
            raise VolumeRefused(f"PersistentVolume {volume_name} is not one the process kubelet provisioned")
        return Path(volume.spec.hostPath.path)

    def build(self, pod: Pod, volumes: PodVolumes, *, refresh_only: bool = False) -> None:
        """Lay out (or, with `refresh_only`, re-read) every volume of the Pod."""
        namespace = pod["metadata"]["namespace"]
        group = (pod["spec"].get("securityContext") or {}).get("fsGroup")
        renew_tokens = not refresh_only or time.monotonic() >= volumes.token_renew_at
        if renew_tokens:
            volumes.token_renew_at = float("inf")
        for volume in pod["spec"].get("volumes") or []:
            name = volume["name"]
            directory = volumes.base / name
            if "emptyDir" in volume:
                if not refresh_only:
                    directory.mkdir(parents=True, exist_ok=True)
                    os.chmod(directory, 0o777)
                    volumes.paths[name] = directory
            elif "persistentVolumeClaim" in volume:
                if not refresh_only:
                    path = self.claim_path(namespace, volume["persistentVolumeClaim"]["claimName"])
                    if group is not None:
                        _own_tree(path, group)
                    volumes.paths[name] = path
            elif "configMap" in volume:
                ref = volume["configMap"]
                files = self.config_map_files(namespace, ref, ref.get("defaultMode", DEFAULT_MODE))
                _write_files(directory, files, group=group)
                volumes.paths[name] = directory
            elif "secret" in volume:
                ref = volume["secret"]
                files = self.secret_files(namespace, ref, ref.get("defaultMode", DEFAULT_MODE))
                _write_files(directory, files, group=group)
                volumes.paths[name] = directory
            elif "downwardAPI" in volume:
                ref = volume["downwardAPI"]
                files = self.downward_files(pod, ref.get("items") or [], ref.get("defaultMode", DEFAULT_MODE))
                _write_files(directory, files, group=group)
                volumes.paths[name] = directory
            elif "projected" in volume:
                self._projected(pod, volume["projected"], directory, volumes, group=group, renew=renew_tokens)
                volumes.paths[name] = directory
            else:
                kind = next((key for key in volume if key != "name"), "?")
                raise VolumeRefused(f"volume {name}: type {kind} is not supported by the process kubelet")

    def _projected(
        self, pod: Pod, spec: dict[str, Any], directory: Path, volumes: PodVolumes, *, group: int | None, renew: bool
    ) -> None:
        namespace = pod["metadata"]["namespace"]
        mode = spec.get("defaultMode", DEFAULT_MODE)
        files: dict[str, tuple[bytes, int]] = {}
        for source in spec.get("sources") or []:
            if "configMap" in source:
                files.update(self.config_map_files(namespace, source["configMap"], mode))
            elif "secret" in source:
                files.update(
                    self.secret_files(namespace, {"secretName": source["secret"]["name"], **source["secret"]}, mode)
                )
            elif "downwardAPI" in source:
                files.update(self.downward_files(pod, source["downwardAPI"].get("items") or [], mode))
            elif "serviceAccountToken" in source:
                token_source = source["serviceAccountToken"]
                path = token_source["path"]
                existing = directory / path
                if renew or not existing.exists():
                    token, lifetime = self.token(pod, token_source)
                    renew_at = time.monotonic() + lifetime * TOKEN_REFRESH_FRACTION
                    volumes.token_renew_at = min(volumes.token_renew_at, renew_at)
                else:
                    token = existing.read_bytes()
                files[path] = (token, mode)
            else:
                kind = next(iter(source), "?")
                raise VolumeRefused(f"projected source {kind} is not supported by the process kubelet")
        _write_files(directory, files, group=group)


def _own_tree(path: Path, group: int) -> None:
    """fsGroup: the volume's group becomes the Pod's, group-writable, as the kubelet does for block-less volumes."""
    for current, _dirs, files in os.walk(path):
        for entry in [current, *(os.path.join(current, f) for f in files)]:
            stat = os.lstat(entry)
            if stat.st_gid != group:
                os.lchown(entry, -1, group)
            if os.path.isdir(entry):
                os.chmod(entry, (stat.st_mode & 0o7777) | 0o2070)
            elif not os.path.islink(entry):
                os.chmod(entry, (stat.st_mode & 0o7777) | 0o060)


def remove(base: Path) -> None:
    shutil.rmtree(base, ignore_errors=True)
