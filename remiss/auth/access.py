"""Access checks, one helper per rule. Views call them after loading the object."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from remiss.auth.models import Role


def roles_required(*roles: Role):
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


admin_required = roles_required(Role.ADMIN)
officer_required = roles_required(Role.OFFICER)
staff_required = roles_required(Role.OFFICER, Role.MANAGER)
respondent_required = roles_required(Role.RESPONDENT)
