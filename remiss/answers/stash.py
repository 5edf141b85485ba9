"""What a person typed into the answer form when their session had ended (signed out in another
tab, the session expired, the page older than the sign-in): kept on the server for a while and
shown again in the same form once they have signed in again, so that nothing typed is lost.

A stash is a small JSON file named by a random token; the token travels only in an HttpOnly
cookie of the browser that posted it, so only that browser gets the text back, and only in the
form of the same round (where the person must be a respondent of the body, as always). Nothing
is saved into the answer until the person presses «Spara utkast» (or the autosave runs)."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from flask import current_app, request

COOKIE = "remiss_unsaved"
KEEP_SECONDS = 2 * 24 * 3600
KEEP_FIELDS_PREFIXES = ("fa_", "m_", "choice_", "mine_", "seen_")
KEEP_FIELDS = {
    "position",
    "comment",
    "other_comments",
    "decided_by",
    "decision_date",
    "decision_paragraph",
    "version_token",
    "baseline",
}


def _folder() -> Path:
    configured = current_app.config.get("STASH_FOLDER")
    if configured:
        return Path(configured)
    return Path(current_app.config["UPLOAD_FOLDER"]).parent / "unsaved"


def is_same_origin() -> bool:
    """Whether the request comes from a page of this site (a cross-site form cannot stash)."""
    origin = request.headers.get("Origin")
    return bool(origin) and origin.rstrip("/") == request.host_url.rstrip("/")


def put(round_id: int, form) -> str | None:
    """Keep the posted answer fields; returns the token for the cookie (None when the stash
    cannot be written: then the page says that nothing was kept)."""
    fields = [
        (name, value)
        for name, value in form.items(multi=True)
        if name in KEEP_FIELDS or name.startswith(KEEP_FIELDS_PREFIXES)
    ]
    token = secrets.token_urlsafe(24)
    try:
        folder = _folder()
        folder.mkdir(parents=True, exist_ok=True)
        _prune(folder)
        target = folder / f"{token}.json"
        temporary = target.with_suffix(".part")
        temporary.write_text(json.dumps({"round_id": round_id, "fields": fields}), encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        current_app.logger.exception("could not keep the unsaved answer")
        return None
    return token


def take(round_id: int) -> list[tuple[str, str]] | None:
    """The fields kept for this browser and round, once (the stash is removed)."""
    token = request.cookies.get(COOKIE, "")
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    path = _folder() / f"{token}.json"
    try:
        stashed = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if stashed.get("round_id") != round_id:
        return None
    path.unlink(missing_ok=True)
    return [(str(name), str(value)) for name, value in stashed.get("fields", [])]


def set_cookie(response, token: str):
    response.set_cookie(
        COOKIE,
        token,
        max_age=KEEP_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", True) and request.is_secure,
        path="/answers/",
    )
    return response


def _prune(folder: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for old in folder.glob("*.json"):
        try:
            if old.stat().st_mtime < limit:
                old.unlink()
        except OSError:
            pass
