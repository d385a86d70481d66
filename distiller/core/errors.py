"""The errors of a bad ``distill_cfg`` and of a distillation loss gone non-finite."""


class DistillConfigError(ValueError):
    """A ``distill_cfg`` entry is invalid; the message names the config key, what was expected and what was found."""


class NonFiniteLossError(FloatingPointError):
    """A distillation loss became NaN or infinite; raised before the backward pass, so no weight is touched."""
