"""Domain errors of the approval engine. Services raise them; API and pages map them.

Django's ValidationError (400) and Http404/PermissionDenied (404) are used as they are.
"""


class StaleState(Exception):
    """The task is finished or the request changed meanwhile: HTTP 409."""


class RateLimited(Exception):
    """Too soon to repeat the action: HTTP 429 with Retry-After."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
