"""The one shape of a refusal: services raise DomainError(code, message), views show the message."""


class DomainError(Exception):
    """A refused change: `code` for programs and tests, `message` for the person who asked."""

    def __init__(self, code, message):
        self.code, self.message = code, message
        super().__init__(message)
