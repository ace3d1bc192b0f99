"""Errors a user can cause or fix. Each prints as one line and exits with status 2."""


class AocnnError(Exception):
    """Base: the message is the whole story, shown on one line."""


class InputError(AocnnError):
    """The puzzle input is malformed or cannot be obtained."""


class WeightsError(AocnnError):
    """Trained weights are missing or unreadable."""


class RegistryError(AocnnError):
    """Puzzles are declared twice or not at all."""


class DeviceError(AocnnError):
    """The requested JAX device is not available."""


def line_error(line_number: int, line: str, why: str) -> InputError:
    shown = line if len(line) <= 40 else line[:37] + "..."
    return InputError(f"line {line_number}: {why}: {shown!r}")
