"""Access checks, one helper per rule. Views call them after loading the object.

Roles are named by their codes (``auth.models.Role`` is a ``StrEnum`` of the same codes), so every
area, the register's admin pages included, can use these without importing the accounts area."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

ADMIN, OFFICER, MANAGER, RESPONDENT = "admin", "officer", "manager", "respondent"


def roles_required(*roles: str):
    """Only signed-in users with one of ``roles``; anonymous users go to the login page,
    others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles  # read by the role matrix test
        return wrapped

    return decorator


admin_required = roles_required(ADMIN)
officer_required = roles_required(OFFICER)
staff_required = roles_required(OFFICER, MANAGER)
respondent_required = roles_required(RESPONDENT)
