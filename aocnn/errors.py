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


def run_script(main) -> None:
    """A measuring script's entry point (scripts/*.py): what `main` raises as an AocnnError (weights
    missing at --weights, a task that does not exist, an unusable input) is one line on stderr and exit
    status 2, as the `aocnn` command has it; Ctrl-C is one line and status 130. Anything else is a bug
    and keeps its traceback."""
    import sys

    try:
        main()
    except AocnnError as exc:
        print(f"{sys.argv[0].rsplit('/', 1)[-1]}: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
