"""The course: lesson content (loader + validator) and the learner's progress.

``lessons`` turns the ``lessons/NN-slug/`` folders into typed, validated lessons;
``progress`` keeps what a learner did in a small SQLite file. Both are pure Python
(no textual, no rich) so the TUI, the CLI and the tests share them. Import from the
submodules: ``from engine.course.lessons import load_course``.
"""
