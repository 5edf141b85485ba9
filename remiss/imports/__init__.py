"""Importing whole rounds from files (``round_json``). Above rounds and answers: an import is
made of the same operations as the clicks it stands for."""
