"""The public register (offentligt remissregister): rounds an officer has made public, their
documents and submitted answers, readable without signing in, with the office's controls for
publicity and secrecy, an Atom feed and a ZIP of all answers."""
