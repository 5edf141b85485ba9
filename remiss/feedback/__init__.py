"""Feedback (återkoppling): when the office marks its assessment as final, every body that
answered gets a page and an e-mail with its own comments next to the office's assessment."""
