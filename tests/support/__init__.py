"""Helpers the tests share: the minute-by-minute business-time reference (``reference``), the
runner of the examples in the docs (``docs_runner``), report builders and the headless browser.

``tests`` is on pytest's ``pythonpath``, so a test imports them as ``support.<module>``.
"""
