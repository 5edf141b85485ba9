"""Who may use which route: written by hand from ``../shared/domain.md``, never read from the views.

test_role_matrix compares every registered route against this table: a route missing here
fails, a view whose ``roles_required`` lets in other roles than the table fails (so widening
``officer_required`` to ``staff_required`` on an officer's POST is caught), and the HTTP matrix
expects what the table says, not what the decorator says.

The domain, in short:
- an **officer** (handläggare) creates rounds, describes the structure, picks recipients, sends,
  follows up, extends deadlines, registers answers that came by post or e-mail, writes the
  office's assessment, decides what is public, closes and archives;
- a **manager** (chef) follows all rounds and exports the summary: read-only;
- a **respondent** sees, drafts and submits only its own body's answer, and reads the round
  its body is invited to; a respondent of another body gets nothing of it;
- an **admin** (systemförvaltare) manages organisations and accounts, keeps the outbox
  running and reads the reports of accessibility problems;
- **anyone**, signed in or not, may sign in, set a password, read the public register, read the
  accessibility statement and report a problem from it.

The visitors are those of the matrix's world: the respondent of the invited body is
Socialnämnden Centrum's, whose answer every route with an argument points to; the respondent of
another body is Kriminalvården's, which is not invited. A route with no object arguments (the
respondent's own list of rounds, the start page) is used by every respondent alike.

An endpoint renamed or moved by a refactor is a one-line change here: the key."""

from __future__ import annotations

ADMIN = "admin"
OFFICER = "officer"
MANAGER = "manager"
OWN = "respondent of the invited body"
OTHER = "respondent of another body"
ANONYMOUS = "anonymous"

VISITORS = (ADMIN, OFFICER, MANAGER, OWN, OTHER, ANONYMOUS)

EVERYONE = frozenset(VISITORS)
SIGNED_IN = frozenset({ADMIN, OFFICER, MANAGER, OWN, OTHER})
ADMINS = frozenset({ADMIN})
OFFICERS = frozenset({OFFICER})
# Officers and managers: following rounds, reading, exporting.
STAFF = frozenset({OFFICER, MANAGER})
# The people who see what the e-mail job sent: the office, and the admin who keeps it running.
MAIL_READERS = frozenset({ADMIN, OFFICER, MANAGER})
# The invited body's own answer, and nobody else's.
OWN_BODY = frozenset({OWN})
# A respondent's own things without an object in the URL: every respondent has its own.
EVERY_RESPONDENT = frozenset({OWN, OTHER})
# The office's feedback on an answer: the office, and the body it answers.
STAFF_AND_OWN_BODY = frozenset({OFFICER, MANAGER, OWN})

GET = "GET"
POST = "POST"

PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    # Anyone: signing in, accessibility, the public register and its files. ------------------
    "static": {GET: EVERYONE},
    "auth.login": {GET: EVERYONE, POST: EVERYONE},
    "auth.set_password": {GET: EVERYONE, POST: EVERYONE},
    "auth.forgot_password": {GET: EVERYONE, POST: EVERYONE},
    # The personal link of a round's invitation: sign in, or create the invited body's account.
    "answers.invitation": {GET: EVERYONE, POST: EVERYONE},
    # Signing in through the city's identity provider (404 while it is not configured).
    "auth.oidc_login": {GET: EVERYONE},
    "auth.oidc_callback": {GET: EVERYONE},
    "auth.oidc_signed_out": {GET: EVERYONE},
    # The statement and its form for reporting problems (anyone, signed in or not).
    "main.accessibility": {GET: EVERYONE, POST: EVERYONE},
    "main.favicon": {GET: EVERYONE},  # issue 16: /favicon.ico is no 404
    "public.robots": {GET: EVERYONE},
    "public.index": {GET: EVERYONE},
    "public.round": {GET: EVERYONE},
    "public.feedback": {GET: EVERYONE},
    "public.document": {GET: EVERYONE},
    "public.archive": {GET: EVERYONE},
    # A large round's ZIP is built once by the job worker; meanwhile its progress page.
    "public.archive_progress": {GET: EVERYONE},
    "public.archive_status": {GET: EVERYONE},
    "public.feed": {GET: EVERYONE},
    # Every signed-in person. -----------------------------------------------------------------
    "main.index": {GET: SIGNED_IN},
    "auth.logout": {POST: SIGNED_IN},
    # A document: the office sees all; a respondent its own body's and its rounds'; the admin
    # manages accounts, not rounds.
    "documents.download": {GET: STAFF_AND_OWN_BODY},
    # Admin: organisations, accounts, the outbox. ---------------------------------------------
    "organisations.index": {GET: ADMINS},
    "organisations.create": {GET: ADMINS, POST: ADMINS},
    "organisations.edit": {GET: ADMINS, POST: ADMINS},
    "organisations.import_csv": {POST: ADMINS},
    "users.index": {GET: ADMINS},
    "users.create": {GET: ADMINS, POST: ADMINS},
    "users.edit": {GET: ADMINS, POST: ADMINS},
    "users.deactivate": {POST: ADMINS},
    "users.invite": {POST: ADMINS},
    # The provider's groups → roles and bodies, and "require the provider for city accounts".
    "groups.index": {GET: ADMINS},
    "groups.create": {POST: ADMINS},
    "groups.edit": {GET: ADMINS, POST: ADMINS},
    "groups.delete": {POST: ADMINS},
    "groups.settings": {POST: ADMINS},
    "notifications.outbox": {GET: ADMINS},
    # The reports from the accessibility statement's form.
    "main.accessibility_reports": {GET: ADMINS},
    "main.accessibility_report_handled": {POST: ADMINS},
    "notifications.message": {GET: MAIL_READERS},
    "notifications.message_html": {GET: MAIL_READERS},
    # Rounds: managers follow (read), officers do everything else. ----------------------------
    "rounds.index": {GET: STAFF},
    "rounds.show": {GET: STAFF},
    "rounds.dashboard": {GET: OFFICERS},  # the officer's start page
    # The manager's overview (issue 16 §4): open rounds, late bodies, answers due, each body's
    # history of answering, and the same as Excel. Read only: the office follows, nobody else.
    "overview.index": {GET: STAFF},
    "overview.body": {GET: STAFF},
    "overview.export": {GET: STAFF},
    "rounds.create": {GET: OFFICERS, POST: OFFICERS},
    "imports.round_json": {GET: OFFICERS, POST: OFFICERS},
    "rounds.edit": {GET: OFFICERS, POST: OFFICERS},
    "rounds.open_round": {POST: OFFICERS},
    "rounds.schedule": {POST: OFFICERS},
    "rounds.unschedule": {POST: OFFICERS},
    "rounds.close": {POST: OFFICERS},
    "rounds.reopen": {POST: OFFICERS},
    "rounds.archive": {POST: OFFICERS},
    "rounds.upload_document": {POST: OFFICERS},
    "rounds.remove_document": {POST: OFFICERS},
    # The structure (focus areas, measures): the officer describes it.
    "rounds.structure": {GET: OFFICERS},
    "rounds.paste_structure": {GET: OFFICERS, POST: OFFICERS},
    "rounds.propose_structure": {GET: OFFICERS},
    "rounds.add_focus_area": {POST: OFFICERS},
    "rounds.edit_focus_area": {GET: OFFICERS, POST: OFFICERS},
    "rounds.move_focus_area": {POST: OFFICERS},
    "rounds.remove_focus_area": {POST: OFFICERS},
    "rounds.add_measure": {POST: OFFICERS},
    "rounds.edit_measure": {GET: OFFICERS, POST: OFFICERS},
    "rounds.move_measure": {POST: OFFICERS},
    "rounds.remove_measure": {POST: OFFICERS},
    # Recipients: the officer picks them, extends deadlines, follows up.
    "rounds.recipients": {GET: OFFICERS, POST: OFFICERS},
    "rounds.edit_recipient": {GET: OFFICERS, POST: OFFICERS},
    "rounds.remove_recipient": {POST: OFFICERS},
    "rounds.resend_invitation": {POST: OFFICERS},  # the invitation again, with a fresh link
    "rounds.extension": {GET: OFFICERS, POST: OFFICERS},
    "rounds.mark_read": {POST: OFFICERS},
    # E-mail to the bodies: managers read, officers send.
    "rounds.messages": {GET: STAFF},
    "rounds.message_preview": {GET: STAFF},
    "rounds.reminder_settings": {GET: OFFICERS, POST: OFFICERS},
    "rounds.remind_now": {POST: OFFICERS},
    # Answers as the office sees them: registered and reopened by the officer, read by both.
    "answers.register": {GET: OFFICERS, POST: OFFICERS},
    "answers.reopen": {POST: OFFICERS},
    "answers.versions": {GET: STAFF},
    # Answers as the body sees them: its own, nobody else's. ----------------------------------
    "answers.index": {GET: EVERY_RESPONDENT},
    "answers.round": {GET: OWN_BODY},
    "answers.edit": {GET: OWN_BODY, POST: OWN_BODY},
    "answers.autosave": {POST: OWN_BODY},
    "answers.preview": {GET: OWN_BODY},
    "answers.submit": {POST: OWN_BODY},
    "answers.receipt": {GET: OWN_BODY},
    "answers.template": {GET: OWN_BODY},
    "answers.upload_template": {POST: OWN_BODY},
    "answers.remove_document": {POST: OWN_BODY},
    # The summary and the office's assessment: managers read and export, officers write. ------
    "summary.show": {GET: STAFF},
    "summary.export": {GET: STAFF},
    "summary.start_export": {POST: STAFF},  # the export of a large round, as a background job
    # Background jobs (a large export or import): the office follows them and fetches the file.
    "tasks.index": {GET: STAFF},
    "tasks.show": {GET: STAFF},
    "tasks.status": {GET: STAFF},
    "tasks.download": {GET: STAFF},
    "summary.assessment": {GET: OFFICERS, POST: OFFICERS},
    "summary.documents": {GET: OFFICERS},  # every document of the round, for diarieföring
    "summary.report": {GET: OFFICERS, POST: OFFICERS},  # the report's opening, edited
    "summary.report_download": {GET: STAFF},  # the report as Word
    "summary.start_report": {POST: STAFF},  # the Word report of a large round, as a background job
    "summary.work": {GET: OFFICERS, POST: OFFICERS},  # one focus area's comments and assessment
    "summary.theme_add": {POST: OFFICERS},
    "summary.theme_remove": {POST: OFFICERS},
    "summary.tag": {POST: OFFICERS},
    "feedback.show": {GET: STAFF_AND_OWN_BODY},
    "feedback.finalise": {POST: OFFICERS},
    # What the public register shows: the officer decides (confidentiality, OSL). -------------
    "public.settings": {GET: OFFICERS, POST: OFFICERS},
    "public.version_secrecy": {POST: OFFICERS},
    "public.comment_secrecy": {POST: OFFICERS},
    "public.document_secrecy": {POST: OFFICERS},
}


def who_may(endpoint: str, method: str) -> frozenset[str]:
    """The visitors that may use ``method`` on ``endpoint``."""
    return PERMISSIONS[endpoint][method]


def is_public(endpoint: str, method: str) -> bool:
    return ANONYMOUS in who_may(endpoint, method)
