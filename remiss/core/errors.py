"""Domain errors: a refused move, with the Swedish message the user sees."""


class DomainError(Exception):
    """A rule of the domain refused an action. ``str(error)`` is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
