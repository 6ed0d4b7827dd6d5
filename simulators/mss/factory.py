"""MSSanté factory (minimal shim of the `factories` branch: the MSS owner's version replaces it)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from simulators.core.runtime import Runtime
from simulators.core.simulator import ServiceDefinition, Simulator
from simulators.mss.simulator import MssSimulator


def options(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(data or {}))


def create(runtime: Runtime, options: Mapping[str, Any]) -> Simulator:  # noqa: ARG001 - read again by MssSimulator
    return Simulator("mss", MssSimulator()(runtime))


SERVICE = ServiceDefinition(name="mss", options=options, create=create)
