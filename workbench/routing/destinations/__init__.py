"""Destination types, one class each, registered by name in `DESTINATIONS`."""

from workbench.routing.destinations import chat, http, local, mail, ticketing  # noqa: F401 - registers them
from workbench.routing.destinations.base import (
    DESTINATIONS,
    Context,
    DeliveryError,
    Destination,
    DestinationConfig,
    Event,
    SendResult,
)

__all__ = ["DESTINATIONS", "Context", "DeliveryError", "Destination", "DestinationConfig", "Event", "SendResult"]
