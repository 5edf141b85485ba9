"""Domain errors: a refused move, with the Swedish message the user sees."""


class DomainError(Exception):
    """A rule of the domain refused an action. ``str(error)`` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfirmationRequired(DomainError):
    """A move that is allowed but needs the user's explicit confirmation first: the message
    asks for it and ``reasons`` say why (e.g. the bodies whose extension still runs)."""

    def __init__(self, message: str, reasons: list[str] | None = None):
        super().__init__(message)
        self.reasons = list(reasons or [])
