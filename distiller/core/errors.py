"""The one error type of a bad ``distill_cfg``."""


class DistillConfigError(ValueError):
    """A ``distill_cfg`` entry is invalid; the message names the config key, what was expected and what was found."""
