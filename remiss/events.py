"""Domain events, sent by the area where they happen and heard by whoever cares (e-mail,
audit, feedback), so that the areas do not import each other. Receivers run inside the sender's
transaction: they add to the session and flush at most; the view or job commits once.

Send with keyword arguments only, e.g. ``round_opened.send(round_, now=now)``."""

from blinker import Namespace

_signals = Namespace()

#: sender: the Round, just opened (``now``)
round_opened = _signals.signal("round-opened")
#: sender: the Recipient, added to a round that is already open (``now``)
recipient_added = _signals.signal("recipient-added")
#: sender: the Recipient whose deadline was extended (``now``)
extension_granted = _signals.signal("extension-granted")
#: sender: the submitted AnswerVersion (``now``)
answer_submitted = _signals.signal("answer-submitted")
#: sender: the Answer reopened for correction (``now``)
answer_reopened = _signals.signal("answer-reopened")
#: sender: the User; ``link`` (absolute URL) and ``purpose`` (TokenPurpose)
password_link_issued = _signals.signal("password-link-issued")
#: sender: the Round whose assessment the officer marked as final (``now``)
assessment_finalised = _signals.signal("assessment-finalised")
