"""Every model, imported in one place so that Alembic and the mappers see the whole schema."""

from remiss.accessibility.models import AccessibilityReport  # noqa: F401
from remiss.answers.models import Answer, AnswerVersion, MeasureComment  # noqa: F401
from remiss.audit.models import AuditEvent  # noqa: F401
from remiss.auth.models import User, UserToken  # noqa: F401
from remiss.documents.models import Document  # noqa: F401
from remiss.notifications.models import Message  # noqa: F401
from remiss.organisations.models import Organisation  # noqa: F401
from remiss.rounds.models import FocusArea, InvitationLink, Measure, Recipient, Round  # noqa: F401
from remiss.summary.models import CommentTheme, ReportText, SimilarityCache, SimilarityGroup, Theme  # noqa: F401
from remiss.tasks.models import BackgroundJob  # noqa: F401
