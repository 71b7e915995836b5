"""Domain errors. Entry points map them to HTTP statuses or exit codes.

OpenBureauError
 ├── ValidationFailed        bad input; carries FieldError list          -> 422
 │    └── ProhibitedData     a field outside the line (names the category) -> 422
 ├── NotFound                no such file / item / organisation           -> 404
 ├── PermissionDenied        the caller may not do this                   -> 403
 │    ├── PurposeNotPermitted
 │    ├── ConsentRequired
 │    ├── FileFrozen
 │    └── RoleNotAllowed     a credential of another role than the endpoint's
 ├── Conflict                state does not allow the change              -> 409
 ├── Unauthenticated         no or bad credential                         -> 401
 │    └── CredentialsRequired  none sent
 ├── RateLimited             too many attempts                            -> 429
 └── SchemaOutOfDate         the database needs `openbureau db upgrade`   -> 503
"""

from __future__ import annotations

from dataclasses import dataclass

from openbureau.domain.wording import N_

# what a consumer is told of an item reference that is not on their file (disputes, rights)
NO_ITEM = N_("no item with this reference on your file")
# a value outside a fixed list: the choices as codes, joined by "|" (what a client sends)
ONE_OF = N_("must be one of %(choices)s")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    line: int | None = None
    category: str | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"field": self.field, "message": self.message}
        if self.line is not None:
            out["line"] = self.line
        if self.category is not None:
            out["category"] = self.category
        return out


class OpenBureauError(Exception):
    title = N_("Error")

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationFailed(OpenBureauError):
    title = N_("Validation failed")

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        self.errors = errors
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in errors))


class ProhibitedData(ValidationFailed):
    title = N_("Prohibited data")


class NotFound(OpenBureauError):
    title = N_("Not found")


class PermissionDenied(OpenBureauError):
    title = N_("Forbidden")


class PurposeNotPermitted(PermissionDenied):
    title = N_("Purpose not permitted")


class ConsentRequired(PermissionDenied):
    title = N_("Consent required")

    def __init__(self, detail: str, reason: str = "no consent recorded for this purpose") -> None:
        super().__init__(detail)
        self.reason = reason     # the refusal reason, one of domain.consents' (audited)


class FileFrozen(PermissionDenied):
    title = N_("File frozen")


class RoleNotAllowed(PermissionDenied):
    """A credential of a role the endpoint does not admit (its detail names the roles)."""


class Conflict(OpenBureauError):
    title = N_("Conflict")


class Unauthenticated(OpenBureauError):
    title = N_("Unauthenticated")


class CredentialsRequired(Unauthenticated):
    """No credential was sent (its detail says how to send one to the API)."""


class RateLimited(OpenBureauError):
    title = N_("Too many requests")

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class SchemaOutOfDate(OpenBureauError):
    title = N_("Database schema out of date")
